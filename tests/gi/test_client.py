#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The synchronous Stompest.Client through GObject Introspection: errors
as GLib.Error, a round trip through the real brokers, and a transport
written in Python."""

import os
import sys
import unittest

import gi

gi.require_version("Stompest", "1.0")
from gi.repository import Gio, GLib, GObject, Stompest  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stomptest  # noqa: E402
import taprunner  # noqa: E402


def closed_port():
    """A loopback port nothing listens on."""
    listener = Gio.SocketListener.new()
    port = listener.add_any_inet_port(None)
    listener.close()
    return port


class ErrorTest(unittest.TestCase):
    """Failures come out as GLib.Error that match Stompest.Error codes."""

    def test_bad_failover_uri(self):
        with self.assertRaises(GLib.Error) as caught:
            Stompest.Failover.new("failover:(tcp://a:1,tcp://b:2")
        self.assertTrue(caught.exception.matches(Stompest.error_quark(), Stompest.Error.INVALID_URI))
        self.assertEqual(caught.exception.domain, "stompest-error-quark")
        self.assertIn("position", caught.exception.message)

    def test_client_with_a_bad_failover_uri(self):
        client = Stompest.Client.new("failover:(tcp://a:1?bogusOption=1)")
        with self.assertRaises(GLib.Error) as caught:
            client.connect_sync(None)
        self.assertTrue(caught.exception.matches(Stompest.error_quark(), Stompest.Error.INVALID_URI),
                        caught.exception.message)
        self.assertFalse(client.is_connected())

    def test_failover_schedule_runs_out(self):
        failover = Stompest.Failover.new(
            "failover:(tcp://a:1,tcp://b:2)?randomize=false&startupMaxReconnectAttempts=1")
        self.assertEqual(failover.get_brokers(), ["tcp://a:1", "tcp://b:2"])
        failover.start()
        self.assertEqual(failover.next(), (True, "tcp://a:1", 0))
        ok, broker, delay = failover.next()
        self.assertEqual(broker, "tcp://b:2")
        self.assertGreater(delay, 0)
        with self.assertRaises(GLib.Error) as caught:
            failover.next()
        self.assertTrue(caught.exception.matches(Stompest.error_quark(),
                                                 Stompest.Error.RECONNECT_EXHAUSTED))

    def test_unknown_scheme(self):
        self.assertIsNone(Stompest.Transport.lookup("nope"))
        with self.assertRaises(GLib.Error) as caught:
            Stompest.Transport.lookup_for_uri("nope://localhost:61613")
        self.assertTrue(caught.exception.matches(Stompest.error_quark(), Stompest.Error.TRANSPORT))
        self.assertIn("nope", caught.exception.message)

    def test_connection_refused_keeps_the_gio_error(self):
        uri = f"tcp://127.0.0.1:{closed_port()}"
        client = Stompest.Client.new(uri)
        client.props.connect_timeout = 5000
        with self.assertRaises(GLib.Error) as caught:
            client.connect_sync(None)
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CONNECTION_REFUSED),
                        caught.exception.message)
        self.assertIn(uri, caught.exception.message)

    def test_cancelled_before_the_connect(self):
        cancellable = Gio.Cancellable.new()
        cancellable.cancel()
        client = Stompest.Client.new(f"tcp://127.0.0.1:{closed_port()}")
        with self.assertRaises(GLib.Error) as caught:
            client.connect_sync(cancellable)
        self.assertTrue(caught.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED),
                        caught.exception.message)


class NamingTest(unittest.TestCase):
    """Names that bindings can use as they are."""

    def test_no_member_hides_another(self):
        # GJS and Vala give a property, a method and a signal one namespace:
        # a property `is-connected` hid the method is_connected() (Vala
        # refused the call), so no two members may share a name.
        checked = 0
        for name in dir(Stompest):
            info = getattr(getattr(Stompest, name), "__info__", None)
            # Classes and interfaces: those have properties and signals.
            if not hasattr(info, "get_properties") or not hasattr(info, "get_signals"):
                continue
            properties = {p.get_name().replace("-", "_") for p in info.get_properties()}
            methods = {m.get_name() for m in info.get_methods()}
            signals = {s.get_name().replace("-", "_") for s in info.get_signals()}
            self.assertEqual(properties & methods, set(), name)
            self.assertEqual(signals & methods, set(), name)
            self.assertEqual(signals & properties, set(), name)
            checked += 1
        self.assertGreaterEqual(checked, 7)

    def test_renamed_properties(self):
        client = Stompest.Client.new("tcp://localhost:61613")
        self.assertFalse(client.props.connected)
        self.assertFalse(client.is_connected())
        protocol = Stompest.Protocol.new(Stompest.Version.STOMP_1_2)
        self.assertFalse(protocol.props.pending_receipts)
        self.assertFalse(protocol.has_pending_receipts())

    def test_header_position_argument(self):
        for method in (Stompest.Frame.get_header_name, Stompest.Frame.get_header_value):
            self.assertEqual([a.get_name() for a in method.get_arguments()], ["position"])


class ClientTests:
    """Run against each real broker; BROKER_VAR names its URI."""

    BROKER_VAR = None

    def setUp(self):
        self.uri = stomptest.broker_uri(self.BROKER_VAR)
        self.client = self.new_client(self.uri)

    def tearDown(self):
        if self.client.is_connected():
            self.client.disconnect_sync(None)

    @staticmethod
    def new_client(uri):
        client = Stompest.Client(uri=uri, connect_timeout=10000, receipt_timeout=10000)
        client.connect_sync(None)
        return client

    def test_connected_properties(self):
        self.assertTrue(self.client.props.connected)
        self.assertTrue(self.client.is_connected())
        self.assertEqual(self.client.props.version, Stompest.Version.STOMP_1_2)
        self.assertEqual(self.client.get_broker_uri(), self.uri)
        self.assertTrue(self.client.get_server())

    def test_send_and_receive(self):
        queue = stomptest.unique_queue()
        token = self.client.subscribe(queue, Stompest.AckMode.CLIENT_INDIVIDUAL,
                                      {"receipt": "subscribed"}, None)
        body = b"binary\x00body \xe2\x9c\x93"
        self.assertTrue(self.client.send(queue, GLib.Bytes.new(body), {"x-gi": "python"}, None))
        frame = self.client.receive_frame(10000, None)
        self.assertEqual(frame.get_command(), "MESSAGE")
        self.assertEqual(frame.get_header("subscription"), token)
        self.assertEqual(frame.get_header("destination"), queue)
        self.assertEqual(frame.get_header("x-gi"), "python")
        self.assertEqual(frame.get_body().get_data(), body)
        self.assertTrue(self.client.ack(frame, "acked", None))
        self.assertTrue(self.client.unsubscribe(token, "unsubscribed", None))

        # The ack took effect: a new subscriber finds the queue empty.
        other = self.new_client(self.uri)
        try:
            other.subscribe(queue, Stompest.AckMode.AUTO, {"receipt": "again"}, None)
            self.assertFalse(other.can_read(500, None))
        finally:
            other.disconnect_sync(None)

    def test_write_buffer_batches_frames(self):
        queue = stomptest.unique_queue()
        self.client.props.write_buffer_size = 65536
        self.assertEqual(self.client.get_write_buffer_size(), 65536)
        self.client.subscribe(queue, Stompest.AckMode.AUTO, {"receipt": "subscribed"}, None)
        for i in range(3):
            self.assertTrue(self.client.send(queue, GLib.Bytes.new(b"batch %d" % i), None, None))
        self.assertTrue(self.client.flush(None))
        bodies = [self.client.receive_frame(10000, None).get_body().get_data() for _ in range(3)]
        self.assertEqual(bodies, [b"batch 0", b"batch 1", b"batch 2"])

    def test_receive_timeout(self):
        self.client.subscribe(stomptest.unique_queue(), Stompest.AckMode.AUTO,
                              {"receipt": "subscribed"}, None)
        with self.assertRaises(GLib.Error) as caught:
            self.client.receive_frame(200, None)
        self.assertTrue(caught.exception.matches(Stompest.error_quark(), Stompest.Error.TIMEOUT))
        self.assertIn(self.uri, caught.exception.message)
        self.assertTrue(self.client.is_connected())

    def test_transaction_abort_and_commit(self):
        queue = stomptest.unique_queue()
        self.client.subscribe(queue, Stompest.AckMode.AUTO, {"receipt": "subscribed"}, None)
        for transaction, finish in (("tx-abort", self.client.abort), ("tx-commit", self.client.commit)):
            self.client.begin(transaction, None, None)
            self.client.send(queue, GLib.Bytes.new(transaction.encode()),
                             {"transaction": transaction}, None)
            finish(transaction, f"{transaction}-done", None)
        frame = self.client.receive_frame(10000, None)
        self.assertEqual(frame.get_body().get_data(), b"tx-commit")
        self.assertFalse(self.client.can_read(300, None))

    def test_send_frame_built_by_hand(self):
        queue = stomptest.unique_queue()
        self.client.subscribe(queue, Stompest.AckMode.AUTO, {"receipt": "subscribed"}, None)
        frame = Stompest.commands_send(queue, GLib.Bytes.new(b"by hand"), None, None)
        frame.add_header("x-built", "yes")
        self.client.send_frame(frame, None)
        received = self.client.receive_frame(10000, None)
        self.assertEqual(received.get_header("x-built"), "yes")
        self.assertEqual(received.get_body().get_data(), b"by hand")


class FailingTransport(GObject.Object, Stompest.Transport):
    """Fails every connect with a Stompest error of its own."""

    def do_connect_async(self, uri, timeout_ms, cancellable, callback, *user_data):
        task = Gio.Task.new(self, cancellable, callback)
        task.return_error(GLib.Error.new_literal(Stompest.error_quark(), f"no way to {uri}",
                                                 Stompest.Error.TRANSPORT))

    def do_connect_finish(self, result):
        return result.propagate_value()[1]


class PythonTransportOfflineTest(unittest.TestCase):
    def tearDown(self):
        Stompest.Transport.unregister("pyfail")

    def test_registered_and_listed(self):
        transport = FailingTransport()
        Stompest.Transport.register("pyfail", transport)
        self.assertIn("pyfail", Stompest.Transport.list_schemes())
        self.assertIs(Stompest.Transport.lookup("PyFail"), transport)
        self.assertTrue(Stompest.Transport.unregister("pyfail"))
        self.assertIsNone(Stompest.Transport.lookup("pyfail"))

    def test_error_from_python_reaches_the_client(self):
        Stompest.Transport.register("pyfail", FailingTransport())
        client = Stompest.Client.new("pyfail://localhost:1")
        with self.assertRaises(GLib.Error) as caught:
            client.connect_sync(None)
        self.assertTrue(caught.exception.matches(Stompest.error_quark(), Stompest.Error.TRANSPORT))
        self.assertIn("no way to pyfail://localhost:1", caught.exception.message)


class PythonTransportTests:
    """The Python transport carries a real broker session."""

    BROKER_VAR = None

    def setUp(self):
        uri = stomptest.broker_uri(self.BROKER_VAR)
        self.uri = "pytcp://" + uri.split("://", 1)[1]
        self.transport = stomptest.PyTcpTransport()
        Stompest.Transport.register("pytcp", self.transport)

    def tearDown(self):
        Stompest.Transport.unregister("pytcp")

    def round_trip(self, client):
        client.connect_sync(None)
        try:
            queue = stomptest.unique_queue("gi-pytcp")
            client.subscribe(queue, Stompest.AckMode.AUTO, {"receipt": "subscribed"}, None)
            client.send(queue, GLib.Bytes.new(b"through python"), None, None)
            self.assertEqual(client.receive_frame(10000, None).get_body().get_data(),
                             b"through python")
        finally:
            client.disconnect_sync(None)

    def test_registered_scheme(self):
        self.round_trip(Stompest.Client.new(self.uri))
        self.assertEqual(self.transport.uris, [self.uri])

    def test_per_client_transport(self):
        # Unregistered for all, set on one client only.
        Stompest.Transport.unregister("pytcp")
        mine = stomptest.PyTcpTransport()
        client = Stompest.Client.new(self.uri)
        client.set_transport("pytcp", mine)
        self.round_trip(client)
        self.assertEqual(mine.uris, [self.uri])
        self.assertEqual(self.transport.uris, [])


stomptest.broker_test_classes(ClientTests, globals())
stomptest.broker_test_classes(PythonTransportTests, globals())

if __name__ == "__main__":
    taprunner.main()
