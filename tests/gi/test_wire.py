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

    def test_bytes_fed_as_gbytes_and_crlf_lines(self):
        parser = Stompest.Parser.new()
        wire = b"\r\nMESSAGE\r\ndestination:/q\r\nmessage-id:1\r\nsubscription:0\r\n\r\nok\x00"
        parser.feed_bytes(GLib.Bytes.new(wire))
        frame = parser.next_frame()
        self.assertEqual(frame.get_header("destination"), "/q")
        self.assertEqual(frame.get_body().get_data(), b"ok")
        self.assertEqual(parser.get_heart_beats(), 1)
        self.assertEqual(parser.get_offset(), len(wire))

    def test_header_escapes_are_undone_for_the_version(self):
        wire = b"MESSAGE\ndestination:/q\nmessage-id:1\nsubscription:0\nk:a\\cb\\nc\n\n\x00"
        parser = Stompest.Parser.new()
        parser.feed(wire)
        self.assertEqual(parser.next_frame().get_header("k"), "a:b\nc")
        parser = Stompest.Parser(version=Stompest.Version.STOMP_1_0)
        parser.feed(wire)
        self.assertEqual(parser.next_frame().get_header("k"), "a\\cb\\nc")

    def test_limit_fails_until_reset(self):
        parser = Stompest.Parser.new()
        parser.props.max_frame_size = 64
        self.assertEqual(parser.get_max_frame_size(), 64)
        parser.feed(b"MESSAGE\ndestination:/q\n\n" + b"x" * 100 + b"\x00")
        for _ in range(2):
            with self.assertRaises(GLib.Error) as caught:
                parser.next_frame()
            self.assertTrue(caught.exception.matches(Stompest.error_quark(),
                                                     Stompest.Error.FRAME_TOO_LARGE))
        parser.reset()
        parser.feed(b"RECEIPT\nreceipt-id:77\n\n\x00")
        self.assertEqual(Stompest.commands_read_receipt(parser.next_frame()), "77")


class CommandsTest(unittest.TestCase):
    def test_versions_and_ack_modes_as_strings(self):
        self.assertEqual(Stompest.version_to_string(Stompest.Version.STOMP_1_1), "1.1")
        self.assertEqual(Stompest.version_from_string("1.2"), (True, Stompest.Version.STOMP_1_2))
        self.assertFalse(Stompest.version_from_string("2.0")[0])
        self.assertEqual(Stompest.ack_mode_to_string(Stompest.AckMode.CLIENT_INDIVIDUAL),
                         "client-individual")
        self.assertEqual(Stompest.ack_mode_from_string("client"), (True, Stompest.AckMode.CLIENT))

    def test_subscribe_needs_an_id_from_1_1(self):
        frame = Stompest.commands_subscribe("/q", None, Stompest.AckMode.AUTO,
                                            Stompest.Version.STOMP_1_0, None)
        self.assertEqual(frame.get_header("destination"), "/q")
        with self.assertRaises(GLib.Error) as caught:
            Stompest.commands_subscribe("/q", None, Stompest.AckMode.AUTO,
                                        Stompest.Version.STOMP_1_2, None)
        self.assertTrue(caught.exception.matches(Stompest.error_quark(), Stompest.Error.PROTOCOL))

    def test_read_connected_gives_out_parameters(self):
        frame = Stompest.Frame.new("CONNECTED")
        frame.add_header("version", "1.1")
        frame.add_header("server", "test/1")
        frame.add_header("heart-beat", "500,1000")
        ok, version, server, session, send_ms, receive_ms = Stompest.commands_read_connected(
            frame, Stompest.Version.STOMP_1_2, 2000, 100)
        self.assertTrue(ok)
        self.assertEqual(version, Stompest.Version.STOMP_1_1)
        self.assertEqual(server, "test/1")
        self.assertIsNone(session)
        self.assertEqual((send_ms, receive_ms), (2000, 500))

    def test_error_frame_is_server_error(self):
        frame = Stompest.Frame.new("ERROR")
        frame.add_header("message", "access refused")
        with self.assertRaises(GLib.Error) as caught:
            Stompest.commands_read_connected(frame, Stompest.Version.STOMP_1_2, 0, 0)
        self.assertTrue(caught.exception.matches(Stompest.error_quark(), Stompest.Error.SERVER_ERROR))
        self.assertIn("access refused", caught.exception.message)


class ProtocolTest(unittest.TestCase):
    def test_subscriptions_are_replayed(self):
        protocol = Stompest.Protocol.new(Stompest.Version.STOMP_1_2)
        self.assertEqual(protocol.props.state, Stompest.ProtocolState.DISCONNECTED)
        connect = protocol.connect_frame("localhost", None, None, 0, 0)
        self.assertEqual(connect.get_header("accept-version"), "1.0,1.1,1.2")
        connected = Stompest.Frame.new("CONNECTED")
        connected.add_header("version", "1.2")
        self.assertTrue(protocol.connected(connected))
        self.assertEqual(protocol.get_state(), Stompest.ProtocolState.CONNECTED)
        subscribe, token = protocol.subscribe("/queue/a", None, Stompest.AckMode.CLIENT, None)
        self.assertEqual(subscribe.get_header("id"), token)

        message = Stompest.Frame.new("MESSAGE")
        for name, value in (("destination", "/queue/a"), ("message-id", "m1"),
                            ("subscription", token), ("ack", "a1")):
            message.add_header(name, value)
        self.assertEqual(protocol.message(message), (True, token))
        self.assertEqual(protocol.ack(message, None).get_header("id"), "a1")

        protocol.close(False)
        self.assertEqual(protocol.get_state(), Stompest.ProtocolState.DISCONNECTED)
        self.assertEqual(protocol.replay(), [])  # not before the next CONNECTED
        protocol.connect_frame("localhost", None, None, 0, 0)
        self.assertTrue(protocol.connected(connected))
        replay = protocol.replay()
        self.assertEqual([frame.get_header("id") for frame in replay], [token])
        self.assertEqual(protocol.replay(), [])


if __name__ == "__main__":
    taprunner.main()
