// SPDX-License-Identifier: LGPL-2.1-or-later
// What the asynchronous JavaScript examples share: a Stompest.Session on
// the GJS main loop, its async calls as promises, and a graceful end.
// (stompest's examples get the same from Twisted and stompest.async.)
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import System from 'system';
import Stompest from 'gi://Stompest?version=1.0';

Gio._promisify(Stompest.Session.prototype, 'connect_async', 'connect_finish');
Gio._promisify(Stompest.Session.prototype, 'disconnect_async', 'disconnect_finish');
Gio._promisify(Stompest.Session.prototype, 'send_async', 'send_finish');

export const DEFAULT_URI = 'tcp://localhost:61613';

// Connects a session, awaits onConnected(), and keeps the main loop
// running until stop(), which disconnects gracefully: the broker gets the
// acks of every message handled and the session waits for those held.
export class Example {
    constructor(uri) {
        this.session = Stompest.Session.new(uri);
        // The session reconnects by itself; an error it reports means a
        // connection was lost or a message could not be handled as asked.
        this.session.connect('error', (_s, error) => printerr(`${System.programInvocationName}: ${error.message}`));
        this._stopped = new Promise(resolve => {
            this._resolveStopped = resolve;
        });
        this.stopping = false;
    }

    // Resolves to the exit status.
    async run() {
        try {
            await this.session.connect_async(null);
            await this.onConnected();
        } catch (e) {
            this.stop(e);
        }
        return this._stopped;
    }

    async stop(failure = null) {
        this.failure ??= failure;
        if (this.stopping)
            return;
        this.stopping = true;
        try {
            if (this.session.state !== Stompest.SessionState.DISCONNECTED)
                await this.session.disconnect_async(GLib.PRIORITY_DEFAULT, null);
        } catch (e) {
            this.failure ??= e;
        }
        if (this.failure)
            printerr(`${System.programInvocationName}: ${this.failure.message}`);
        this._resolveStopped(this.failure ? 1 : 0);
    }

    // Subscribes to destination with client-individual acks and calls
    // handler(message) for each message; stops after count messages (0: no
    // limit) or idleTimeout seconds without one (0: never).
    consume(destination, count, idleTimeout, handler, headers = null) {
        const subscription = this.session.subscribe(destination, Stompest.AckMode.CLIENT_INDIVIDUAL, headers);
        let received = 0;
        let idle = 0;
        const restartIdleTimer = () => {
            if (idle)
                GLib.source_remove(idle);
            idle = 0;
            if (idleTimeout > 0) {
                idle = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, idleTimeout, () => {
                    idle = 0;
                    print(`nothing arrived for ${idleTimeout} s`);
                    this.stop();
                    return GLib.SOURCE_REMOVE;
                });
            }
        };
        subscription.connect('message', (_sub, message) => {
            handler(message);
            received++;
            if (count && received >= count) {
                idleTimeout = 0;
                restartIdleTimer();
                this.stop();
            } else {
                restartIdleTimer();
            }
        });
        restartIdleTimer();
        return subscription;
    }
}

// An error for Stompest.Message.fail().
export function exampleError(message) {
    return new GLib.Error(GLib.quark_from_string('stompest-example'), 0, message);
}
