// SPDX-License-Identifier: LGPL-2.1-or-later
// The wire layer (frames and the parser) through GObject Introspection.
import GLib from 'gi://GLib';
import Stompest from 'gi://Stompest?version=1.0';

import {runTests, assertEqual, assert} from './tap.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

await runTests({
    'frame headers keep order, first wins'() {
        const frame = Stompest.Frame.new('SEND');
        frame.add_header('x', 'first');
        frame.add_header('x', 'second');
        assertEqual(frame.get_header('x'), 'first');
        assertEqual(frame.get_header_values('x').join(','), 'first,second');
    },
    'parser reassembles a frame fed in pieces'() {
        const parser = Stompest.Parser.new();
        const wire = encoder.encode('MESSAGE\ndestination:/queue/a\nmessage-id:1\nsubscription:0\n\nhello\0\n');
        parser.feed(wire.slice(0, 7));
        assertEqual(parser.next_frame(), null);
        parser.feed(wire.slice(7));
        const frame = parser.next_frame();
        assertEqual(frame.get_command(), 'MESSAGE');
        assertEqual(decoder.decode(frame.get_body().toArray()), 'hello');
    },
    'a malformed frame throws a Stompest.Error'() {
        const parser = Stompest.Parser.new();
        parser.feed(encoder.encode('BOGUS\n\n\0'));
        let caught = null;
        try {
            parser.next_frame();
        } catch (e) {
            caught = e;
        }
        assert(caught !== null, 'no error thrown');
        assert(caught.matches(Stompest.Error, Stompest.Error.PARSE), `wrong error ${caught}`);
    },
    'to_bytes writes the body after the headers'() {
        const frame = Stompest.Frame.new('SEND');
        frame.add_header('destination', '/queue/a');
        frame.set_body(new GLib.Bytes(encoder.encode('hi')));
        const data = frame.to_bytes(Stompest.Version.STOMP_1_2, Stompest.CompileFlags.NONE);
        assertEqual(decoder.decode(data.toArray()), 'SEND\ndestination:/queue/a\n\nhi\0');
        const always = frame.to_bytes(Stompest.Version.STOMP_1_2, Stompest.CompileFlags.CONTENT_LENGTH);
        assert(decoder.decode(always.toArray()).includes('\ncontent-length:2\n'), 'no content-length');
    },
    'the parser stays failed until reset'() {
        const parser = new Stompest.Parser({max_header_count: 2});
        assertEqual(parser.max_header_count, 2);
        parser.feed(encoder.encode('MESSAGE\na:1\nb:2\nc:3\n\n\0'));
        for (let i = 0; i < 2; i++) {
            let caught = null;
            try {
                parser.next_frame();
            } catch (e) {
                caught = e;
            }
            assert(caught?.matches(Stompest.Error, Stompest.Error.FRAME_TOO_LARGE), `wrong error ${caught}`);
        }
        parser.reset();
        parser.feed_bytes(new GLib.Bytes(encoder.encode('\nRECEIPT\nreceipt-id:9\n\n\0')));
        assertEqual(Stompest.commands_read_receipt(parser.next_frame()), '9');
        assertEqual(parser.get_heart_beats(), 1);
    },
    'out parameters come back as an array'() {
        const frame = Stompest.Frame.new('CONNECTED');
        frame.add_header('version', '1.1');
        frame.add_header('session', 's-1');
        frame.add_header('heart-beat', '500,1000');
        const [ok, version, server, session, sendMs, receiveMs] =
            Stompest.commands_read_connected(frame, Stompest.Version.STOMP_1_2, 2000, 100);
        assert(ok);
        assertEqual(version, Stompest.Version.STOMP_1_1);
        assertEqual(server, null);
        assertEqual(session, 's-1');
        assertEqual(`${sendMs},${receiveMs}`, '2000,500');
        assertEqual(Stompest.version_from_string('1.0').join(), `true,${Stompest.Version.STOMP_1_0}`);
    },
    'protocol replays subscriptions after a loss'() {
        const protocol = Stompest.Protocol.new(Stompest.Version.STOMP_1_2);
        const connected = Stompest.Frame.new('CONNECTED');
        connected.add_header('version', '1.2');
        protocol.connect_frame('localhost', null, null, 0, 0);
        protocol.connected(connected);
        const [subscribe, token] = protocol.subscribe('/queue/a', null, Stompest.AckMode.AUTO, null);
        assertEqual(subscribe.get_header('id'), token);
        protocol.close(false);
        protocol.connect_frame('localhost', null, null, 0, 0);
        protocol.connected(connected);
        const replay = protocol.replay();
        assertEqual(replay.length, 1);
        assertEqual(replay[0].get_header('destination'), '/queue/a');
        assertEqual(protocol.replay().length, 0);
    },
});
