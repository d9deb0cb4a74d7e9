#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""simple-producer: the synchronous producer of stompest's README, in
Python through GObject Introspection.

Connects to a broker, sends a few messages to a queue and disconnects. The
last message asks for a receipt, so when the program says the messages were
sent, the broker has them all.

  simple-producer.py [--count=N] [--destination=QUEUE] [BROKER-URI]
"""

import argparse
import sys

import gi

gi.require_version("Stompest", "1.0")
from gi.repository import GLib, Stompest  # noqa: E402

DEFAULT_URI = "tcp://localhost:61613"


def produce(client, destination, count):
    client.connect_sync(None)
    for i in range(1, count + 1):
        # The broker's RECEIPT for the last message confirms all of them:
        # a broker handles the frames of one connection in order.
        headers = {"receipt": "simple-producer-last"} if i == count else None
        client.send(destination, GLib.Bytes.new(f"test message {i}".encode()), headers, None)
    print(f"sent {count} message{'' if count == 1 else 's'} to {destination} (receipt confirmed)")
    client.disconnect_sync(None)


def main():
    parser = argparse.ArgumentParser(description="Send messages to a STOMP queue.",
                                     epilog=f"BROKER-URI defaults to {DEFAULT_URI}.")
    parser.add_argument("-n", "--count", type=int, default=3, metavar="N",
                        help="number of messages to send (default: 3)")
    parser.add_argument("-d", "--destination", default="/queue/test", metavar="QUEUE",
                        help="queue to send them to (default: /queue/test)")
    parser.add_argument("uri", nargs="?", default=DEFAULT_URI, metavar="BROKER-URI")
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")

    try:
        produce(Stompest.Client.new(args.uri), args.destination, args.count)
    except GLib.Error as error:
        print(f"{parser.prog}: {error.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
