# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the asynchronous Python examples share: a Stompest.Session on a
GLib main loop, its command line, and a graceful end. (stompest's examples
get the same from Twisted and stompest.async.)"""

import argparse
import sys

import gi

gi.require_version("Stompest", "1.0")
from gi.repository import GLib, Stompest  # noqa: E402

DEFAULT_URI = "tcp://localhost:61613"


def parse_args(description, destinations, count, idle_timeout=None):
    """The options every example takes: --count, --idle-timeout (when
    idle_timeout is not None), one option per destination ({name:
    default}) and BROKER-URI."""
    parser = argparse.ArgumentParser(description=description,
                                     epilog=f"BROKER-URI defaults to {DEFAULT_URI}.")
    parser.add_argument("-n", "--count", type=int, default=count, metavar="N",
                        help=f"number of messages (default: {count}; 0: no limit)")
    if idle_timeout is not None:
        parser.add_argument("-t", "--idle-timeout", type=int, default=idle_timeout, metavar="SECONDS",
                            help=f"stop when no message arrives for SECONDS "
                                 f"(default: {idle_timeout}; 0 waits forever)")
    for name, default in destinations.items():
        parser.add_argument(f"--{name}", default=default, metavar="QUEUE",
                            help=f"(default: {default})")
    parser.add_argument("uri", nargs="?", default=DEFAULT_URI, metavar="BROKER-URI")
    args = parser.parse_args()
    if args.count < 0 or getattr(args, "idle_timeout", 0) < 0:
        parser.error("--count and --idle-timeout must not be negative")
    return args


class Example:
    """Connects a session, calls on_connected(), and runs the main loop
    until stop(), which disconnects gracefully: the broker gets the acks
    of every message handled and the session waits for those still held."""

    def __init__(self, uri):
        self.session = Stompest.Session.new(uri)
        self.session.connect("error", self._on_error)
        self.loop = GLib.MainLoop()
        self.failure = None
        self.stopping = False

    def run(self):
        """Returns the exit status."""
        self.session.connect_async(None, self._on_connect_done)
        self.loop.run()
        if self.failure is not None:
            print(f"{sys.argv[0]}: {self.failure.message}", file=sys.stderr)
            return 1
        return 0

    def on_connected(self):
        raise NotImplementedError

    def finish(self, finish, result):
        """finish(result), or stop() with its error and None."""
        try:
            return finish(result)
        except GLib.Error as error:
            self.stop(error)
            return None

    def stop(self, failure=None):
        self.failure = self.failure or failure
        if self.stopping:
            return
        self.stopping = True
        if self.session.props.state == Stompest.SessionState.DISCONNECTED:
            self.loop.quit()
        else:
            self.session.disconnect_async(GLib.PRIORITY_DEFAULT, None, self._on_disconnect_done)

    def consume(self, destination, count, idle_timeout, handler, headers=None):
        """Subscribes to destination with client-individual acks and calls
        handler(message) for each message; stops after count messages (0:
        no limit) or idle_timeout seconds without one (0: never)."""
        subscription = self.session.subscribe(destination, Stompest.AckMode.CLIENT_INDIVIDUAL,
                                              headers)
        received = 0
        idle = [0]

        def on_idle():
            idle[0] = 0
            print(f"nothing arrived for {idle_timeout} s")
            self.stop()
            return GLib.SOURCE_REMOVE

        def restart_idle_timer():
            if idle[0]:
                GLib.source_remove(idle[0])
            if idle_timeout > 0:
                idle[0] = GLib.timeout_add_seconds(idle_timeout, on_idle)

        def on_message(_subscription, message):
            nonlocal received
            handler(message)
            received += 1
            if count and received >= count:
                if idle[0]:
                    GLib.source_remove(idle[0])
                    idle[0] = 0
                self.stop()
            else:
                restart_idle_timer()

        subscription.connect("message", on_message)
        restart_idle_timer()
        return subscription

    def _on_connect_done(self, session, result):
        if self.finish(session.connect_finish, result):
            self.on_connected()

    def _on_disconnect_done(self, session, result):
        self.finish(session.disconnect_finish, result)
        self.loop.quit()

    def _on_error(self, _session, error):
        # The session reconnects by itself; an error it reports means a
        # connection was lost or a message could not be handled as asked.
        print(f"{sys.argv[0]}: {error.message}", file=sys.stderr)
