#!/usr/bin/env -S gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
// simple-consumer: the synchronous consumer of stompest's README, in
// JavaScript (GJS) through GObject Introspection.
//
// Connects to a broker, subscribes to a queue with client-individual
// acknowledgement, prints the body of each message and acknowledges it
// once it was handled. A message that was not acknowledged (the program
// failed or was stopped while handling it) goes back to the queue.
//
//   simple-consumer.js [--count=N] [--idle-timeout=SECONDS] [--destination=QUEUE] [BROKER-URI]
import GLib from 'gi://GLib';
import System from 'system';
import Stompest from 'gi://Stompest?version=1.0';

import {parseArgs} from './example-args.js';

const DEFAULT_URI = 'tcp://localhost:61613';
const decoder = new TextDecoder();

// The work done with each message.
function handleMessage(message) {
    print(`received "${decoder.decode(message.get_body().toArray())}"`);
}

function consume(client, destination, count, idleTimeout) {
    client.connect_sync(null);
    client.subscribe(destination, Stompest.AckMode.CLIENT_INDIVIDUAL, null, null);
    print(`subscribed to ${destination}`);

    let received = 0;
    while (count === 0 || received < count) {
        let frame;
        try {
            frame = client.receive_frame(idleTimeout > 0 ? idleTimeout * 1000 : -1, null);
        } catch (e) {
            if (!(e instanceof GLib.Error && e.matches(Stompest.Error, Stompest.Error.TIMEOUT)))
                throw e;
            print(`nothing arrived for ${idleTimeout} s`);
            break;
        }
        // Only MESSAGE frames are ours to handle; this program asks for no
        // receipt it does not wait for itself.
        if (frame.get_command() !== 'MESSAGE')
            continue;
        handleMessage(frame);
        client.ack(frame, null, null);
        print('  acked');
        received++;
    }

    print(`received ${received} message${received === 1 ? '' : 's'} from ${destination}`);
    client.disconnect_sync(null);
}

const maxIdle = Math.floor(GLib.MAXINT32 / 1000);
const [options, [uri = DEFAULT_URI], fail] = parseArgs(
    `simple-consumer.js [OPTION...] [BROKER-URI] (default ${DEFAULT_URI})`, {
        count: {short: 'n', value: 0, help: 'stop after N messages (default: 0, no limit)'},
        'idle-timeout': {short: 't', value: 5,
            help: 'stop when no message arrives for SECONDS (default: 5; 0 waits forever)'},
        destination: {short: 'd', value: '/queue/test', help: 'queue to subscribe to (default: /queue/test)'},
    }, 1);
if (options.count < 0)
    fail('--count must not be negative');
if (options['idle-timeout'] < 0 || options['idle-timeout'] > maxIdle)
    fail(`--idle-timeout must be between 0 and ${maxIdle} seconds`);

try {
    consume(Stompest.Client.new(uri), options.destination, options.count, options['idle-timeout']);
} catch (e) {
    printerr(`${System.programInvocationName}: ${e.message}`);
    System.exit(1);
}
