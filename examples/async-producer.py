#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""async-producer: the asynchronous producer of stompest's README, in Python
through GObject Introspection, on a GLib main loop.

Sends --count JSON messages {"count": j} (j from 0) to a queue, each with
send_async(), which completes on the broker's RECEIPT, and disconnects once
the broker confirmed them all.

  async-producer.py [--count=N] [--destination=QUEUE] [BROKER-URI]
"""

import json
import sys

from async_example import Example, parse_args
from gi.repository import GLib


class Producer(Example):
    def __init__(self, uri, destination, count):
        super().__init__(uri)
        self.destination = destination
        self.count = count
        self.confirmed = 0

    def on_connected(self):
        for j in range(self.count):
            body = GLib.Bytes.new(json.dumps({"count": j}).encode())
            self.session.send_async(self.destination, body, None, GLib.PRIORITY_DEFAULT, None,
                                    self.on_sent)

    def on_sent(self, session, result):
        if not self.finish(session.send_finish, result):
            return
        self.confirmed += 1
        if self.confirmed == self.count:
            print(f"sent {self.count} messages to {self.destination} (all receipts confirmed)")
            self.stop()


def main():
    args = parse_args("Send JSON messages to a STOMP queue.", {"destination": "/queue/testIn"},
                      count=10)
    if args.count < 1:
        sys.exit("--count must be at least 1")
    return Producer(args.uri, args.destination, args.count).run()


if __name__ == "__main__":
    sys.exit(main())
