#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The asynchronous Stompest.Session through GObject Introspection: its
signals on a GLib.MainLoop, messages held by a handler and finished later,
the failure policy, and a transport written in Python. Every wait on the
main loop has a deadline (stomptest.run_loop)."""

import os
import sys
import unittest

import gi

gi.require_version("Stompest", "1.0")
from gi.repository import Gio, GLib, Stompest  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stomptest  # noqa: E402
import taprunner  # noqa: E402


def connect(testcase, session):
    return stomptest.wait_async(testcase, lambda done: session.connect_async(None, done),
                                session.connect_finish)


def disconnect(testcase, session):
    return stomptest.wait_async(
        testcase, lambda done: session.disconnect_async(GLib.PRIORITY_DEFAULT, None, done),
        session.disconnect_finish)


def send_confirmed(testcase, session, destination, body, headers=None):
    return stomptest.wait_async(
        testcase,
        lambda done: session.send_async(destination, GLib.Bytes.new(body), headers,
                                        GLib.PRIORITY_DEFAULT, None, done),
        session.send_finish)


class OfflineSessionTest(unittest.TestCase):
    def test_refused_connect_fails_the_callback(self):
        listener = Gio.SocketListener.new()
        port = listener.add_any_inet_port(None)
        listener.close()
        session = Stompest.Session.new(f"tcp://127.0.0.1:{port}")
        connected = []
        session.connect("connected", lambda *_: connected.append(True))
        with self.assertRaises(GLib.Error) as caught:
            connect(self, session)
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CONNECTION_REFUSED),
                        caught.exception.message)
        self.assertEqual(connected, [])
        self.assertEqual(session.props.state, Stompest.SessionState.DISCONNECTED)

    def test_calls_need_a_connection(self):
        session = Stompest.Session.new("tcp://127.0.0.1:61613")
        for call in (lambda: session.send("/queue/a", None, None),
                     lambda: session.subscribe("/queue/a", Stompest.AckMode.AUTO, None)):
            with self.assertRaises(GLib.Error) as caught:
                call()
            self.assertTrue(caught.exception.matches(Stompest.error_quark(),
                                                     Stompest.Error.CONNECTION_LOST))

    def test_bad_uri(self):
        session = Stompest.Session.new("failover:(tcp://a:1")
        with self.assertRaises(GLib.Error) as caught:
            connect(self, session)
        self.assertTrue(caught.exception.matches(Stompest.error_quark(), Stompest.Error.INVALID_URI))


class SessionTests:
    """Run against each real broker; BROKER_VAR names its URI."""

    BROKER_VAR = None

    def setUp(self):
        self.uri = stomptest.broker_uri(self.BROKER_VAR)
        self.queue = stomptest.unique_queue("gi-session")
        self.session = Stompest.Session.new(self.uri)
        self.events = []
        self.session.connect("connected", lambda _s: self.events.append("connected"))
        self.session.connect("disconnected", self.on_disconnected)
        self.session.connect("receipt", lambda _s, receipt_id: self.events.append(f"receipt {receipt_id}"))
        self.session.connect("message", lambda _s, m: self.events.append(f"session-message {m.get_body().get_data().decode()}"))
        self.session.connect("error", lambda _s, error: self.events.append(f"error {error.message}"))

    def tearDown(self):
        if self.session.props.state == Stompest.SessionState.CONNECTED:
            disconnect(self, self.session)

    def on_disconnected(self, _session, reason):
        self.events.append("disconnected" if reason is None else f"disconnected {reason.message}")

    def queue_is_empty(self, queue):
        """Whether a new consumer gets nothing from queue: what was acked is gone."""
        client = Stompest.Client.new(self.uri)
        client.connect_sync(None)
        try:
            client.subscribe(queue, Stompest.AckMode.AUTO, {"receipt": "check"}, None)
            return not client.can_read(500, None)
        finally:
            client.disconnect_sync(None)

    def test_signals_on_a_main_loop(self):
        self.assertTrue(connect(self, self.session))
        self.assertEqual(self.session.props.state, Stompest.SessionState.CONNECTED)
        self.assertEqual(self.session.get_version(), Stompest.Version.STOMP_1_2)
        subscription = self.session.subscribe(self.queue, Stompest.AckMode.CLIENT_INDIVIDUAL,
                                              {"receipt": "subscribed"})
        subscription.connect("message", lambda _sub, m: self.events.append(
            f"subscription-message {m.get_body().get_data().decode()} {m.get_header('x-gi')}"))
        stomptest.wait_until(self, lambda: "receipt subscribed" in self.events)
        self.assertTrue(send_confirmed(self, self.session, self.queue, b"one", {"x-gi": "py"}))
        stomptest.wait_until(self, lambda: "session-message one" in self.events)
        self.assertTrue(disconnect(self, self.session))
        self.assertEqual(self.session.props.state, Stompest.SessionState.DISCONNECTED)
        self.assertFalse(subscription.props.active)

        # Receipt ids of send_async and of DISCONNECT are generated.
        events = [e for e in self.events if not e.startswith("receipt stompest-")]
        self.assertEqual(events, ["connected", "receipt subscribed", "subscription-message one py",
                                  "session-message one", "disconnected"])
        self.assertTrue(self.queue_is_empty(self.queue))

    def test_held_message_is_finished_later(self):
        connect(self, self.session)
        # Sent first: while a message is held at max-in-flight the session
        # reads nothing, RECEIPTs included.
        for body in (b"first", b"second"):
            send_confirmed(self, self.session, self.queue, body)
        held = []

        def on_message(_subscription, message):
            message.hold()
            held.append(message)

        subscription = self.session.subscribe(self.queue, Stompest.AckMode.CLIENT_INDIVIDUAL, None)
        subscription.props.max_in_flight = 1
        subscription.connect("message", on_message)
        stomptest.wait_until(self, lambda: len(held) == 1)

        # Held: in flight and unfinished, and with max-in-flight 1 the
        # session reads no further message meanwhile.
        stomptest.spin(500)
        self.assertEqual(len(held), 1)
        self.assertEqual(subscription.get_n_in_flight(), 1)
        self.assertFalse(held[0].is_finished())

        # Finished later, from a timer: the next message comes.
        GLib.timeout_add(50, lambda: held[0].complete() or GLib.SOURCE_REMOVE)
        stomptest.wait_until(self, lambda: len(held) == 2)
        self.assertTrue(held[0].is_finished())
        self.assertEqual([m.get_body().get_data() for m in held], [b"first", b"second"])
        held[1].complete()
        self.assertEqual(subscription.get_n_in_flight(), 0)
        disconnect(self, self.session)
        self.assertTrue(self.queue_is_empty(self.queue))

    def test_failed_message_goes_to_the_error_destination(self):
        error_queue = self.queue + ".failed"
        connect(self, self.session)
        subscription = self.session.subscribe(self.queue, Stompest.AckMode.CLIENT_INDIVIDUAL,
                                              {"receipt": "subscribed"})
        subscription.props.error_destination = error_queue
        subscription.props.failure_policy = Stompest.FailurePolicy.ERROR_DESTINATION
        failed = []

        def on_message(_subscription, message):
            message.fail(GLib.Error.new_literal(Stompest.error_quark(), "cannot digest this",
                                                Stompest.Error.PROTOCOL))
            failed.append(message)

        subscription.connect("message", on_message)
        send_confirmed(self, self.session, self.queue, b"poison")
        stomptest.wait_until(self, lambda: failed and failed[0].is_finished())
        self.assertTrue(failed[0].get_error().matches(Stompest.error_quark(), Stompest.Error.PROTOCOL))
        disconnect(self, self.session)

        client = Stompest.Client.new(self.uri)
        client.connect_sync(None)
        try:
            client.subscribe(error_queue, Stompest.AckMode.AUTO, None, None)
            frame = client.receive_frame(10000, None)
            self.assertEqual(frame.get_body().get_data(), b"poison")
            self.assertIn("cannot digest this", frame.get_header("message-failed"))
        finally:
            client.disconnect_sync(None)
        self.assertTrue(self.queue_is_empty(self.queue))

    def test_python_transport(self):
        transport = stomptest.PyTcpTransport()
        uri = "pytcp://" + self.uri.split("://", 1)[1]
        self.session.props.uri = uri
        self.session.set_transport("pytcp", transport)
        connect(self, self.session)
        received = []
        subscription = self.session.subscribe(self.queue, Stompest.AckMode.AUTO, {"receipt": "subscribed"})
        subscription.connect("message", lambda _sub, m: received.append(m.get_body().get_data()))
        send_confirmed(self, self.session, self.queue, b"through python")
        stomptest.wait_until(self, lambda: received)
        self.assertEqual(received, [b"through python"])
        self.assertEqual(transport.uris, [uri])


stomptest.broker_test_classes(SessionTests, globals())

if __name__ == "__main__":
    taprunner.main()
