#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""async-transformer: the asynchronous transformer of stompest's README
(IncrementTransformer), in Python through GObject Introspection.

Reads JSON messages {"count": j} from one queue and sends {"count": j + 1}
to another. Each input message is held until the broker confirmed the
output (send_async completes on its RECEIPT), and only then acknowledged:
a crash in between makes the broker redeliver the input, nothing is lost.
A message that cannot be transformed goes to the error queue (stompest's
poison-pill rule), then is acknowledged.

  async-transformer.py [--count=N] [--idle-timeout=SECONDS] [--in=QUEUE]
                       [--out=QUEUE] [--error=QUEUE] [BROKER-URI]
"""

import json
import sys

from async_example import Example, parse_args
from gi.repository import GLib, Stompest


class IncrementTransformer(Example):
    def __init__(self, args):
        super().__init__(args.uri)
        self.args = args
        self.transformed = 0

    def on_connected(self):
        # The broker lets at most 100 unacknowledged messages wait here.
        headers = {"activemq.prefetchSize": "100", "prefetch-count": "100"}
        subscription = self.consume(getattr(self.args, "in"), self.args.count,
                                    self.args.idle_timeout, self.add_one, headers)
        subscription.props.error_destination = self.args.error
        subscription.props.failure_policy = Stompest.FailurePolicy.ERROR_DESTINATION

    def add_one(self, message):
        try:
            data = json.loads(message.get_body().get_data())
            data["count"] += 1
        except (ValueError, TypeError, KeyError) as error:
            message.fail(GLib.Error.new_literal(GLib.quark_from_string("async-transformer"),
                                                f"not a count: {error}", 0))
            return
        message.hold()
        body = GLib.Bytes.new(json.dumps(data).encode())

        def on_sent(session, result):
            try:
                session.send_finish(result)
            except GLib.Error as error:
                message.fail(error)   # to the error queue, then acked
                return
            message.complete()        # acked
            self.transformed += 1
            print(f"transformed count {data['count'] - 1} -> {data['count']}")

        self.session.send_async(self.args.out, body, None, GLib.PRIORITY_DEFAULT, None, on_sent)


def main():
    args = parse_args("Add one to the count of JSON messages, from queue to queue.",
                      {"in": "/queue/testIn", "out": "/queue/testOut",
                       "error": "/queue/testTransformerError"},
                      count=0, idle_timeout=0)
    transformer = IncrementTransformer(args)
    status = transformer.run()
    print(f"transformed {transformer.transformed} messages")
    return status


if __name__ == "__main__":
    sys.exit(main())
