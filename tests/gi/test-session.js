// SPDX-License-Identifier: LGPL-2.1-or-later
// The asynchronous Stompest.Session through GObject Introspection: its
// signals on the GJS main loop, async calls as promises, and a message held
// by a handler and finished later. Every wait has a deadline (withTimeout).
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Stompest from 'gi://Stompest?version=1.0';

import {runTests, assert, assertEqual, assertThrows, brokerUri, uniqueQueue, withTimeout} from './tap.js';

Gio._promisify(Stompest.Session.prototype, 'connect_async', 'connect_finish');
Gio._promisify(Stompest.Session.prototype, 'disconnect_async', 'disconnect_finish');
Gio._promisify(Stompest.Session.prototype, 'send_async', 'send_finish');

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const BROKERS = {RabbitMQ: 'STOMPEST_TEST_RABBITMQ_URI', ActiveMQ: 'STOMPEST_TEST_ACTIVEMQ_URI'};

function bytes(text) {
    return new GLib.Bytes(encoder.encode(text));
}

function text(message) {
    return decoder.decode(message.get_body().toArray());
}

function sleep(ms) {
    return new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
}

// Resolves once predicate() holds; polled on the main loop.
function until(predicate, what) {
    return withTimeout(new Promise(resolve => {
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
            if (!predicate())
                return GLib.SOURCE_CONTINUE;
            resolve();
            return GLib.SOURCE_REMOVE;
        });
    }), 15000, what);
}

function sendConfirmed(session, destination, body, headers = null) {
    return withTimeout(session.send_async(destination, bytes(body), headers, GLib.PRIORITY_DEFAULT, null),
        15000, 'send_async');
}

// A connected session that records its signals in session.events.
async function connectedSession(uri) {
    const session = Stompest.Session.new(uri);
    session.events = [];
    session.connect('connected', () => session.events.push('connected'));
    session.connect('disconnected', (_s, reason) =>
        session.events.push(reason ? `disconnected ${reason.message}` : 'disconnected'));
    session.connect('receipt', (_s, id) => session.events.push(`receipt ${id}`));
    session.connect('message', (_s, message) => session.events.push(`session-message ${text(message)}`));
    session.connect('error', (_s, error) => session.events.push(`error ${error.message}`));
    assert(await withTimeout(session.connect_async(null), 15000, 'connect_async'));
    return session;
}

async function disconnect(session) {
    if (session.state === Stompest.SessionState.CONNECTED)
        await withTimeout(session.disconnect_async(GLib.PRIORITY_DEFAULT, null), 15000, 'disconnect_async');
}

const tests = {
    async 'a refused connect rejects the promise'() {
        const listener = new Gio.SocketListener();
        const port = listener.add_any_inet_port(null);
        listener.close();
        const session = Stompest.Session.new(`tcp://127.0.0.1:${port}`);
        const e = await assertThrows(() => withTimeout(session.connect_async(null), 15000, 'connect_async'));
        assert(e.matches?.(Gio.IOErrorEnum, Gio.IOErrorEnum.CONNECTION_REFUSED), `wrong error ${e}`);
        assertEqual(session.state, Stompest.SessionState.DISCONNECTED);
    },
    async 'calls need a connection'() {
        const session = Stompest.Session.new('tcp://127.0.0.1:61613');
        const e = await assertThrows(() => session.send('/queue/a', null, null));
        assert(e.matches(Stompest.Error, Stompest.Error.CONNECTION_LOST), `wrong error ${e}`);
    },
};

for (const [broker, variable] of Object.entries(BROKERS)) {
    Object.assign(tests, {
        async [`${broker}: signals on the main loop`]() {
            const session = await connectedSession(brokerUri(variable));
            try {
                const queue = uniqueQueue('gi-gjs-session');
                const subscription = session.subscribe(queue, Stompest.AckMode.CLIENT_INDIVIDUAL,
                    {receipt: 'subscribed'});
                subscription.connect('message', (_sub, message) =>
                    session.events.push(`subscription-message ${text(message)} ${message.get_header('x-gi')}`));
                await until(() => session.events.includes('receipt subscribed'), 'the subscription receipt');
                assert(await sendConfirmed(session, queue, 'one', {'x-gi': 'gjs'}));
                await until(() => session.events.includes('session-message one'), 'the message');
                await disconnect(session);
                assertEqual(subscription.active, false);
                const events = session.events.filter(e => !e.startsWith('receipt stompest-'));
                assertEqual(events.join(' | '),
                    'connected | receipt subscribed | subscription-message one gjs | session-message one | disconnected');
            } finally {
                await disconnect(session);
            }
        },
        async [`${broker}: a held message is finished later`]() {
            const session = await connectedSession(brokerUri(variable));
            try {
                const queue = uniqueQueue('gi-gjs-session');
                // Sent first: at max-in-flight the session reads nothing,
                // RECEIPTs included.
                for (const body of ['first', 'second'])
                    await sendConfirmed(session, queue, body); // eslint-disable-line no-await-in-loop
                const held = [];
                const subscription = session.subscribe(queue, Stompest.AckMode.CLIENT_INDIVIDUAL, null);
                subscription.max_in_flight = 1;
                subscription.connect('message', (_sub, message) => {
                    message.hold();
                    held.push(message);
                });
                await until(() => held.length === 1, 'the first message');
                await sleep(500);
                assertEqual(held.length, 1);
                assertEqual(subscription.n_in_flight, 1);
                assert(!held[0].is_finished(), 'finished while held');

                held[0].complete();
                assert(held[0].is_finished(), 'not finished after complete()');
                await until(() => held.length === 2, 'the second message');
                assertEqual(held.map(text).join(), 'first,second');
                held[1].complete();
                assertEqual(subscription.n_in_flight, 0);
            } finally {
                await disconnect(session);
            }
        },
    });
}

await runTests(tests);
