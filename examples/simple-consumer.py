#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""simple-consumer: the synchronous consumer of stompest's README, in
Python through GObject Introspection.

Connects to a broker, subscribes to a queue with client-individual
acknowledgement, prints the body of each message and acknowledges it once
it was handled. A message that was not acknowledged (the program failed or
was stopped while handling it) goes back to the queue.

  simple-consumer.py [--count=N] [--idle-timeout=SECONDS] [--destination=QUEUE] [BROKER-URI]
"""

import argparse
import sys

import gi

gi.require_version("Stompest", "1.0")
from gi.repository import GLib, Stompest  # noqa: E402

DEFAULT_URI = "tcp://localhost:61613"


def handle_message(message):
    """The work done with each message."""
    print(f'received "{message.get_body().get_data().decode(errors="replace")}"')


def consume(client, destination, count, idle_timeout):
    client.connect_sync(None)
    client.subscribe(destination, Stompest.AckMode.CLIENT_INDIVIDUAL, None, None)
    print(f"subscribed to {destination}")

    received = 0
    while count == 0 or received < count:
        try:
            frame = client.receive_frame(idle_timeout * 1000 if idle_timeout > 0 else -1, None)
        except GLib.Error as error:
            if not error.matches(Stompest.error_quark(), Stompest.Error.TIMEOUT):
                raise
            print(f"nothing arrived for {idle_timeout} s")
            break
        # Only MESSAGE frames are ours to handle; this program asks for no
        # receipt it does not wait for itself.
        if frame.get_command() != "MESSAGE":
            continue
        handle_message(frame)
        client.ack(frame, None, None)
        print("  acked")
        received += 1

    print(f"received {received} message{'' if received == 1 else 's'} from {destination}")
    client.disconnect_sync(None)


def main():
    parser = argparse.ArgumentParser(
        description="Print and acknowledge the messages of a STOMP queue.",
        epilog=f"BROKER-URI defaults to {DEFAULT_URI}.")
    parser.add_argument("-n", "--count", type=int, default=0, metavar="N",
                        help="stop after N messages (default: 0, no limit)")
    parser.add_argument("-t", "--idle-timeout", type=int, default=5, metavar="SECONDS",
                        help="stop when no message arrives for SECONDS (default: 5; 0 waits forever)")
    parser.add_argument("-d", "--destination", default="/queue/test", metavar="QUEUE",
                        help="queue to subscribe to (default: /queue/test)")
    parser.add_argument("uri", nargs="?", default=DEFAULT_URI, metavar="BROKER-URI")
    args = parser.parse_args()
    if args.count < 0:
        parser.error("--count must not be negative")
    if not 0 <= args.idle_timeout <= GLib.MAXINT // 1000:
        parser.error(f"--idle-timeout must be between 0 and {GLib.MAXINT // 1000} seconds")

    try:
        consume(Stompest.Client.new(args.uri), args.destination, args.count, args.idle_timeout)
    except GLib.Error as error:
        print(f"{parser.prog}: {error.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
