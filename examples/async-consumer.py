#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""async-consumer: the asynchronous consumer of stompest's README, in Python
through GObject Introspection, on a GLib main loop.

Prints the count of each JSON message {"count": j} on a queue; the session
acknowledges each message once the handler returned. A message that is not
JSON goes to the error queue.

  async-consumer.py [--count=N] [--idle-timeout=SECONDS] [--destination=QUEUE]
                    [--error=QUEUE] [BROKER-URI]
"""

import json
import sys

from async_example import Example, parse_args
from gi.repository import GLib, Stompest


class Consumer(Example):
    def __init__(self, args):
        super().__init__(args.uri)
        self.args = args
        self.received = 0

    def on_connected(self):
        subscription = self.consume(self.args.destination, self.args.count, self.args.idle_timeout,
                                    self.on_message)
        subscription.props.error_destination = self.args.error
        subscription.props.failure_policy = Stompest.FailurePolicy.ERROR_DESTINATION

    def on_message(self, message):
        try:
            count = json.loads(message.get_body().get_data())["count"]
        except (ValueError, TypeError, KeyError) as error:
            message.fail(GLib.Error.new_literal(GLib.quark_from_string("async-consumer"),
                                                f"not a count: {error}", 0))
            return
        self.received += 1
        print(f"received count {count}")


def main():
    args = parse_args("Print the counts of JSON messages on a STOMP queue.",
                      {"destination": "/queue/testOut", "error": "/queue/testConsumerError"},
                      count=0, idle_timeout=5)
    consumer = Consumer(args)
    status = consumer.run()
    print(f"received {consumer.received} messages from {args.destination}")
    return status


if __name__ == "__main__":
    sys.exit(main())
