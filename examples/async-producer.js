#!/usr/bin/env -S gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
// async-producer: the asynchronous producer of stompest's README, in
// JavaScript (GJS) through GObject Introspection, on the main loop.
//
// Sends --count JSON messages {"count": j} (j from 0) to a queue, each with
// send_async(), which completes on the broker's RECEIPT, and disconnects
// once the broker confirmed them all.
//
//   async-producer.js [--count=N] [--destination=QUEUE] [BROKER-URI]
import GLib from 'gi://GLib';
import System from 'system';

import {DEFAULT_URI, Example} from './async-example.js';
import {parseArgs} from './example-args.js';

const encoder = new TextEncoder();

class Producer extends Example {
    constructor(uri, destination, count) {
        super(uri);
        this.destination = destination;
        this.count = count;
    }

    async onConnected() {
        const sends = [];
        for (let j = 0; j < this.count; j++) {
            const body = new GLib.Bytes(encoder.encode(JSON.stringify({count: j})));
            sends.push(this.session.send_async(this.destination, body, null, GLib.PRIORITY_DEFAULT, null));
        }
        await Promise.all(sends);
        print(`sent ${this.count} messages to ${this.destination} (all receipts confirmed)`);
        this.stop();
    }
}

const [options, [uri = DEFAULT_URI], fail] = parseArgs(
    `async-producer.js [OPTION...] [BROKER-URI] (default ${DEFAULT_URI})`, {
        count: {short: 'n', value: 10, help: 'number of messages to send (default: 10)'},
        destination: {short: 'd', value: '/queue/testIn', help: 'queue to send them to (default: /queue/testIn)'},
    }, 1);
if (options.count < 1)
    fail('--count must be at least 1');
System.exit(await new Producer(uri, options.destination, options.count).run());
