#!/usr/bin/env -S gjs -m
// SPDX-License-Identifier: LGPL-2.1-or-later
// async-consumer: the asynchronous consumer of stompest's README, in
// JavaScript (GJS) through GObject Introspection, on the main loop.
//
// Prints the count of each JSON message {"count": j} on a queue; the
// session acknowledges each message once the handler returned. A message
// that is not JSON goes to the error queue.
//
//   async-consumer.js [--count=N] [--idle-timeout=SECONDS] [--destination=QUEUE]
//                     [--error=QUEUE] [BROKER-URI]
import System from 'system';
import Stompest from 'gi://Stompest?version=1.0';

import {DEFAULT_URI, Example, exampleError} from './async-example.js';
import {parseArgs} from './example-args.js';

const decoder = new TextDecoder();

class Consumer extends Example {
    constructor(options, uri) {
        super(uri);
        this.options = options;
        this.received = 0;
    }

    onConnected() {
        const subscription = this.consume(this.options.destination, this.options.count,
            this.options['idle-timeout'], message => this.onMessage(message));
        subscription.error_destination = this.options.error;
        subscription.failure_policy = Stompest.FailurePolicy.ERROR_DESTINATION;
    }

    onMessage(message) {
        let count;
        try {
            count = JSON.parse(decoder.decode(message.get_body().toArray())).count;
        } catch (e) {
            message.fail(exampleError(`not a count: ${e.message}`));
            return;
        }
        this.received++;
        print(`received count ${count}`);
    }
}

const [options, [uri = DEFAULT_URI]] = parseArgs(
    `async-consumer.js [OPTION...] [BROKER-URI] (default ${DEFAULT_URI})`, {
        count: {short: 'n', value: 0, help: 'stop after N messages (default: 0, no limit)'},
        'idle-timeout': {short: 't', value: 5,
            help: 'stop when no message arrives for SECONDS (default: 5; 0 waits forever)'},
        destination: {short: 'd', value: '/queue/testOut', help: 'queue to read (default: /queue/testOut)'},
        error: {short: 'e', value: '/queue/testConsumerError',
            help: 'queue for messages that fail (default: /queue/testConsumerError)'},
    }, 1);
const consumer = new Consumer(options, uri);
const status = await consumer.run();
print(`received ${consumer.received} messages from ${options.destination}`);
System.exit(status);
