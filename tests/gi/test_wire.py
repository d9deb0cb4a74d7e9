#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The wire layer (frames and the parser) through GObject Introspection."""

import os
import sys
import unittest

import gi

gi.require_version("Stompest", "1.0")
from gi.repository import GLib, Stompest  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import taprunner  # noqa: E402


class FrameTest(unittest.TestCase):
    def test_headers_keep_order_and_first_wins(self):
        frame = Stompest.Frame.new("SEND")
        frame.add_header("destination", "/queue/a")
        frame.add_header("x", "first")
        frame.add_header("x", "second")
        self.assertEqual(frame.get_command(), "SEND")
        self.assertEqual(frame.get_header("x"), "first")
        self.assertEqual(frame.get_header_values("x"), ["first", "second"])
        self.assertEqual(frame.get_n_headers(), 3)
        self.assertIsNone(frame.get_header("missing"))

    def test_to_bytes_escapes_for_the_version(self):
        frame = Stompest.Frame.new("SEND")
        frame.add_header("destination", "/queue/a")
        frame.add_header("k", "a:b\nc")
        frame.set_body(GLib.Bytes.new(b"hi"))
        data = frame.to_bytes(Stompest.Version.STOMP_1_2, Stompest.CompileFlags.NONE)
        self.assertIn(b"k:a\\cb\\nc\n", data.get_data())
        self.assertTrue(data.get_data().endswith(b"\n\nhi\x00"))


class ParserTest(unittest.TestCase):
    def test_parse_a_frame_fed_in_pieces(self):
        parser = Stompest.Parser.new()
        wire = b"MESSAGE\ndestination:/queue/a\nmessage-id:1\nsubscription:0\n\nhello\x00\n"
        parser.feed(wire[:10])
        self.assertIsNone(parser.next_frame())
        parser.feed(wire[10:])
        frame = parser.next_frame()
        self.assertEqual(frame.get_command(), "MESSAGE")
        self.assertEqual(frame.get_header("destination"), "/queue/a")
        self.assertEqual(frame.get_body().get_data(), b"hello")
        self.assertIsNone(parser.next_frame())
        self.assertEqual(parser.get_heart_beats(), 1)

    def test_binary_body_with_content_length(self):
        parser = Stompest.Parser.new()
        parser.feed(b"MESSAGE\ncontent-length:3\nsubscription:0\nmessage-id:1\ndestination:/q\n\na\x00b\x00")
        self.assertEqual(parser.next_frame().get_body().get_data(), b"a\x00b")

    def test_malformed_frame_is_a_stompest_error(self):
        parser = Stompest.Parser.new()
        parser.feed(b"BOGUS\n\n\x00")
        with self.assertRaises(GLib.Error) as caught:
            parser.next_frame()
        self.assertTrue(caught.exception.matches(Stompest.error_quark(), Stompest.Error.PARSE))
        self.assertIn("byte", caught.exception.message)


if __name__ == "__main__":
    taprunner.main()
