// SPDX-License-Identifier: LGPL-2.1-or-later
// The wire layer (frames and the parser) through GObject Introspection.
import GLib from 'gi://GLib';
import Stompest from 'gi://Stompest?version=1.0';

import {runTests, assertEqual, assert} from './tap.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

runTests({
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
    },
});
