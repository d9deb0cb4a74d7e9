#!/usr/bin/env -S gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
// async-transformer: the asynchronous transformer of stompest's README
// (IncrementTransformer), in JavaScript (GJS) through GObject Introspection.
//
// Reads JSON messages {"count": j} from one queue and sends {"count": j + 1}
// to another. Each input message is held until the broker confirmed the
// output (send_async completes on its RECEIPT), and only then acknowledged:
// a crash in between makes the broker redeliver the input, nothing is lost.
// A message that cannot be transformed goes to the error queue (stompest's
// poison-pill rule), then is acknowledged.
//
//   async-transformer.js [--count=N] [--idle-timeout=SECONDS] [--in=QUEUE]
//                        [--out=QUEUE] [--error=QUEUE] [BROKER-URI]
import GLib from 'gi://GLib';
import System from 'system';
import Stompest from 'gi://Stompest?version=1.0';

import {DEFAULT_URI, Example, exampleError} from './async-example.js';
import {parseArgs} from './example-args.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

class IncrementTransformer extends Example {
    constructor(options, uri) {
        super(uri);
        this.options = options;
        this.transformed = 0;
    }

    onConnected() {
        // The broker lets at most 100 unacknowledged messages wait here.
        const headers = {'activemq.prefetchSize': '100', 'prefetch-count': '100'};
        const subscription = this.consume(this.options.in, this.options.count,
            this.options['idle-timeout'], message => this.addOne(message), headers);
        subscription.error_destination = this.options.error;
        subscription.failure_policy = Stompest.FailurePolicy.ERROR_DESTINATION;
    }

    async addOne(message) {
        let data;
        try {
            data = JSON.parse(decoder.decode(message.get_body().toArray()));
            if (!Number.isInteger(data.count))
                throw new Error('no integer count');
        } catch (e) {
            message.fail(exampleError(`not a count: ${e.message}`));
            return;
        }
        data.count += 1;
        message.hold();
        try {
            await this.session.send_async(this.options.out, new GLib.Bytes(encoder.encode(JSON.stringify(data))),
                null, GLib.PRIORITY_DEFAULT, null);
        } catch (e) {
            message.fail(e); // to the error queue, then acked
            return;
        }
        message.complete(); // acked
        this.transformed++;
        print(`transformed count ${data.count - 1} -> ${data.count}`);
    }
}

const [options, [uri = DEFAULT_URI]] = parseArgs(
    `async-transformer.js [OPTION...] [BROKER-URI] (default ${DEFAULT_URI})`, {
        count: {short: 'n', value: 0, help: 'stop after N messages (default: 0, no limit)'},
        'idle-timeout': {short: 't', value: 0,
            help: 'stop when no message arrives for SECONDS (default: 0, wait forever)'},
        in: {short: 'i', value: '/queue/testIn', help: 'queue to read (default: /queue/testIn)'},
        out: {short: 'o', value: '/queue/testOut', help: 'queue to write (default: /queue/testOut)'},
        error: {short: 'e', value: '/queue/testTransformerError',
            help: 'queue for messages that fail (default: /queue/testTransformerError)'},
    }, 1);
const transformer = new IncrementTransformer(options, uri);
const status = await transformer.run();
print(`transformed ${transformer.transformed} messages`);
System.exit(status);
