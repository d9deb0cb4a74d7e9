#!/usr/bin/env -S gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
// simple-producer: the synchronous producer of stompest's README, in
// JavaScript (GJS) through GObject Introspection.
//
// Connects to a broker, sends a few messages to a queue and disconnects.
// The last message asks for a receipt, so when the program says the
// messages were sent, the broker has them all.
//
//   simple-producer.js [--count=N] [--destination=QUEUE] [BROKER-URI]
import GLib from 'gi://GLib';
import System from 'system';
import Stompest from 'gi://Stompest?version=1.0';

import {parseArgs} from './example-args.js';

const DEFAULT_URI = 'tcp://localhost:61613';
const encoder = new TextEncoder();

function produce(client, destination, count) {
    client.connect_sync(null);
    for (let i = 1; i <= count; i++) {
        // The broker's RECEIPT for the last message confirms all of them:
        // a broker handles the frames of one connection in order.
        const headers = i === count ? {receipt: 'simple-producer-last'} : null;
        client.send(destination, new GLib.Bytes(encoder.encode(`test message ${i}`)), headers, null);
    }
    print(`sent ${count} message${count === 1 ? '' : 's'} to ${destination} (receipt confirmed)`);
    client.disconnect_sync(null);
}

const [options, [uri = DEFAULT_URI], fail] = parseArgs(
    `simple-producer.js [OPTION...] [BROKER-URI] (default ${DEFAULT_URI})`, {
        count: {short: 'n', value: 3, help: 'number of messages to send (default: 3)'},
        destination: {short: 'd', value: '/queue/test', help: 'queue to send them to (default: /queue/test)'},
    }, 1);
if (options.count < 1)
    fail('--count must be at least 1');

try {
    produce(Stompest.Client.new(uri), options.destination, options.count);
} catch (e) {
    printerr(`${System.programInvocationName}: ${e.message}`);
    System.exit(1);
}
