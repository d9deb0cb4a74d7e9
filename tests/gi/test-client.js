// SPDX-License-Identifier: LGPL-2.1-or-later
// The synchronous Stompest.Client through GObject Introspection: errors,
// a round trip through the real brokers, and a transport written in JS.
import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import GObject from 'gi://GObject';
import Stompest from 'gi://Stompest?version=1.0';

import {runTests, assert, assertEqual, assertThrows, brokerUri, uniqueQueue} from './tap.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const BROKERS = {RabbitMQ: 'STOMPEST_TEST_RABBITMQ_URI', ActiveMQ: 'STOMPEST_TEST_ACTIVEMQ_URI'};

function bytes(text) {
    return new GLib.Bytes(encoder.encode(text));
}

function closedPort() {
    const listener = new Gio.SocketListener();
    const port = listener.add_any_inet_port(null);
    listener.close();
    return port;
}

function connectedClient(uri) {
    const client = new Stompest.Client({uri, connect_timeout: 10000, receipt_timeout: 10000});
    client.connect_sync(null);
    return client;
}

// A transport written in JavaScript. GJS cannot implement a virtual
// function that takes a callback (connect_async), so it implements
// connect_sync, which is what the blocking Stompest.Client calls.
const JsTcpTransport = GObject.registerClass({
    Implements: [Stompest.Transport],
}, class JsTcpTransport extends GObject.Object {
    _init() {
        super._init();
        this.uris = [];
    }

    vfunc_connect_sync(uri, timeoutMs, cancellable) {
        this.uris.push(uri);
        const parsed = GLib.Uri.parse(uri, GLib.UriFlags.NONE);
        const socketClient = new Gio.SocketClient({timeout: Math.ceil(timeoutMs / 1000)});
        return socketClient.connect_to_host(parsed.get_host(), parsed.get_port(), cancellable);
    }
});

const tests = {
    async 'a bad failover URI is INVALID_URI'() {
        const e = await assertThrows(() => Stompest.Failover.new('failover:(tcp://a:1,tcp://b:2'));
        assert(e.matches(Stompest.Error, Stompest.Error.INVALID_URI), `wrong error ${e}`);
        assert(e.message.includes('position'), e.message);
        const client = Stompest.Client.new('failover:(tcp://a:1?bogusOption=1)');
        const e2 = await assertThrows(() => client.connect_sync(null));
        assert(e2.matches(Stompest.Error, Stompest.Error.INVALID_URI), `wrong error ${e2}`);
    },
    async 'an unknown scheme is TRANSPORT'() {
        assertEqual(Stompest.Transport.lookup('nope'), null);
        const e = await assertThrows(() => Stompest.Transport.lookup_for_uri('nope://localhost:1'));
        assert(e.matches(Stompest.Error, Stompest.Error.TRANSPORT), `wrong error ${e}`);
    },
    async 'a refused connection keeps the Gio error'() {
        const uri = `tcp://127.0.0.1:${closedPort()}`;
        const e = await assertThrows(() => Stompest.Client.new(uri).connect_sync(null));
        assert(e.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CONNECTION_REFUSED), `wrong error ${e}`);
        assert(e.message.includes(uri), e.message);
    },
    'the failover schedule runs out'() {
        const failover = Stompest.Failover.new(
            'failover:(tcp://a:1,tcp://b:2)?randomize=false&startupMaxReconnectAttempts=1');
        assertEqual(failover.get_brokers().join(' '), 'tcp://a:1 tcp://b:2');
        failover.start();
        assertEqual(failover.next().join(), 'true,tcp://a:1,0');
        assertEqual(failover.next()[1], 'tcp://b:2');
        let caught = null;
        try {
            failover.next();
        } catch (e) {
            caught = e;
        }
        assert(caught?.matches(Stompest.Error, Stompest.Error.RECONNECT_EXHAUSTED), `wrong error ${caught}`);
    },
    'properties do not hide their getters'() {
        // A property is-connected used to make client.is_connected a
        // boolean, not the method.
        const client = Stompest.Client.new('tcp://localhost:61613');
        assertEqual(client.connected, false);
        assertEqual(client.is_connected(), false);
        assertEqual(client.send_timeout, 10000);
        const protocol = Stompest.Protocol.new(Stompest.Version.STOMP_1_2);
        assertEqual(protocol.pending_receipts, false);
        assertEqual(protocol.has_pending_receipts(), false);
    },
};

for (const [broker, variable] of Object.entries(BROKERS)) {
    Object.assign(tests, {
        [`${broker}: send and receive`]() {
            const client = connectedClient(brokerUri(variable));
            try {
                assertEqual(client.version, Stompest.Version.STOMP_1_2);
                const queue = uniqueQueue();
                const token = client.subscribe(queue, Stompest.AckMode.CLIENT_INDIVIDUAL,
                    {receipt: 'subscribed'}, null);
                assert(client.send(queue, bytes('héllo\0gjs'), {'x-gi': 'gjs'}, null));
                const frame = client.receive_frame(10000, null);
                assertEqual(frame.get_header('subscription'), token);
                assertEqual(frame.get_header('x-gi'), 'gjs');
                assertEqual(decoder.decode(frame.get_body().toArray()), 'héllo\0gjs');
                client.ack(frame, 'acked', null);
                client.unsubscribe(token, 'unsubscribed', null);
            } finally {
                client.disconnect_sync(null);
            }
        },
        async [`${broker}: a receive times out with TIMEOUT`]() {
            const uri = brokerUri(variable);
            const client = connectedClient(uri);
            try {
                client.subscribe(uniqueQueue(), Stompest.AckMode.AUTO, {receipt: 'subscribed'}, null);
                const e = await assertThrows(() => client.receive_frame(200, null));
                assert(e.matches(Stompest.Error, Stompest.Error.TIMEOUT), `wrong error ${e}`);
                assert(e.message.includes(uri), e.message);
                // The property and its getter are both reachable.
                assertEqual(client.connected, true);
                assertEqual(client.is_connected(), true);
            } finally {
                client.disconnect_sync(null);
            }
        },
        [`${broker}: a transport written in JavaScript`]() {
            const uri = `jstcp://${brokerUri(variable).split('://')[1]}`;
            const transport = new JsTcpTransport();
            Stompest.Transport.register('jstcp', transport);
            try {
                assert(Stompest.Transport.list_schemes().includes('jstcp'));
                const client = connectedClient(uri);
                try {
                    const queue = uniqueQueue('gi-jstcp');
                    client.subscribe(queue, Stompest.AckMode.AUTO, {receipt: 'subscribed'}, null);
                    client.send(queue, bytes('through gjs'), null, null);
                    const frame = client.receive_frame(10000, null);
                    assertEqual(decoder.decode(frame.get_body().toArray()), 'through gjs');
                } finally {
                    client.disconnect_sync(null);
                }
                assertEqual(transport.uris.join(), uri);
            } finally {
                Stompest.Transport.unregister('jstcp');
            }
        },
    });
}

await runTests(tests);
