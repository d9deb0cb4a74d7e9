# SPDX-License-Identifier: LGPL-2.1-or-later
"""Helpers shared by the Python GI tests: the real brokers of
scripts/run-tests.sh, unique queue names and a main loop with a deadline."""

import os
import unittest
import uuid

import gi

gi.require_version("Stompest", "1.0")
from gi.repository import Gio, GLib, GObject, Stompest  # noqa: E402

# The brokers each test class runs against, by the variable naming its URI.
BROKER_VARS = ("STOMPEST_TEST_RABBITMQ_URI", "STOMPEST_TEST_ACTIVEMQ_URI")


def broker_uri(var):
    """The URI in the environment variable var, or skip the test."""
    uri = os.environ.get(var)
    if not uri:
        raise unittest.SkipTest(f"{var} is unset: the real brokers come with scripts/run-tests.sh")
    return uri


def unique_queue(prefix="gi-python"):
    """A queue no other test (or earlier run) has used."""
    return f"/queue/{prefix}-{uuid.uuid4().hex}"


def run_loop(testcase, loop, timeout_s=15):
    """Runs loop until it quits; fails testcase if timeout_s passes first."""
    expired = []

    def on_timeout():
        expired.append(True)
        loop.quit()
        return GLib.SOURCE_REMOVE

    source = GLib.timeout_add_seconds(timeout_s, on_timeout)
    loop.run()
    if expired:
        testcase.fail(f"the main loop did not finish within {timeout_s} s")
    GLib.source_remove(source)


def wait_async(testcase, start, finish, timeout_s=15):
    """Calls start(callback) and runs the main loop until the callback
    came; returns what finish(result) returns, or raises its error."""
    loop = GLib.MainLoop()
    outcome = {}

    def callback(_source, result):
        try:
            outcome["value"] = finish(result)
        except GLib.Error as error:
            outcome["error"] = error
        loop.quit()

    start(callback)
    run_loop(testcase, loop, timeout_s)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def wait_until(testcase, predicate, timeout_s=15):
    """Runs the main loop until predicate() is true; fails testcase if
    timeout_s passes first."""
    loop = GLib.MainLoop()

    def check():
        if predicate():
            loop.quit()
            return GLib.SOURCE_REMOVE
        return GLib.SOURCE_CONTINUE

    source = GLib.timeout_add(10, check)
    try:
        run_loop(testcase, loop, timeout_s)
    finally:
        if GLib.MainContext.default().find_source_by_id(source):
            GLib.source_remove(source)


def spin(ms):
    """Runs the main loop for ms milliseconds."""
    loop = GLib.MainLoop()
    GLib.timeout_add(ms, loop.quit)
    loop.run()


class PyTcpTransport(GObject.Object, Stompest.Transport):
    """A transport written in Python: Gio.SocketClient to host:port of the
    URI, whatever its scheme. Only the async pair is implemented; the
    library's default connect_sync drives it for the blocking client."""

    def __init__(self):
        super().__init__()
        self.uris = []

    def do_connect_async(self, uri, timeout_ms, cancellable, callback, *user_data):
        # The callback already carries its user data: Gio.Task gets none.
        self.uris.append(uri)
        task = Gio.Task.new(self, cancellable, callback)
        parsed = GLib.Uri.parse(uri, GLib.UriFlags.NONE)
        socket_client = Gio.SocketClient.new()
        socket_client.set_timeout((timeout_ms + 999) // 1000)

        def on_connected(source, result):
            try:
                connection = source.connect_to_host_finish(result)
            except GLib.Error as error:
                task.return_error(error)
                return
            task.return_value(GObject.Value(Gio.IOStream, connection))

        socket_client.connect_to_host_async(parsed.get_host(), parsed.get_port(), cancellable,
                                            on_connected)

    def do_connect_finish(self, result):
        _, stream = result.propagate_value()
        return stream


def broker_test_classes(mixin, namespace):
    """Makes one TestCase per broker from mixin, named after the broker,
    with its URI variable in BROKER_VAR, and puts them in namespace."""
    for var in BROKER_VARS:
        broker = var.split("_")[2].capitalize()
        name = f"{broker}{mixin.__name__}"
        namespace[name] = type(name, (mixin, unittest.TestCase),
                               {"BROKER_VAR": var, "__module__": namespace["__name__"]})
