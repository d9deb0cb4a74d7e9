#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""stomp.py (Debian python3-stomp 8.0.0) in the benchmark modes of
bench-common.h:

    /usr/bin/python3 stomppy-bench.py MODE HOST PORT DESTINATION COUNT [ACK]

STOMP 1.2. stomp.py delivers messages on its receiver thread, to a
listener; the main thread waits on an Event. Its disconnect() returns at
once, so a listener waits for the DISCONNECT receipt."""

import resource
import sys
import threading
import time

import stomp

BODY_SIZE = 100
LATENCY_WARMUP = 200
TIMEOUT = 120


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def report(mode, start, count, samples=None):
    with open("/proc/self/status") as status:
        hwm = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    line = '{"mode": "%s", "count": %d, "wall": %.6f, "cpu": %.6f, "hwm_kb": %d' % (
        mode, count, time.monotonic() - start[0], cpu() - start[1], hwm)
    if samples:
        samples.sort()
        line += ', "p50_us": %.1f, "p99_us": %.1f' % (
            samples[count // 2] * 1e6, samples[int(count * 0.99)] * 1e6)
    print(line + "}", flush=True)


class Listener(stomp.ConnectionListener):
    def __init__(self, conn, count, ack):
        self.conn = conn
        self.count = count
        self.ack = ack
        self.received = 0
        self.done = threading.Event()
        self.message = threading.Event()
        self.receipts = {}

    def on_message(self, frame):
        self.received += 1
        if self.ack == "client-individual":
            self.conn.ack(frame.headers["ack"])
        if self.received == self.count:
            self.done.set()
        self.message.set()

    def on_receipt(self, frame):
        event = self.receipts.get(frame.headers["receipt-id"])
        if event is not None:
            event.set()

    def on_error(self, frame):
        print("stomp.py: ERROR %s %s" % (frame.headers, frame.body), file=sys.stderr)
        sys.exit(1)

    def wait_receipt(self, receipt_id, send):
        event = self.receipts[receipt_id] = threading.Event()
        send()
        if not event.wait(TIMEOUT):
            sys.exit("stomp.py: no RECEIPT %s" % receipt_id)


def main():
    mode, host, port, destination, count = sys.argv[1:6]
    count = int(count)
    ack = sys.argv[6] if len(sys.argv) > 6 else "auto"
    body = "x" * BODY_SIZE

    conn = stomp.StompConnection12([(host, int(port))], vhost="/", heartbeats=(0, 0),
                                   auto_content_length=True)
    listener = Listener(conn, count, ack)
    conn.set_listener("bench", listener)
    conn.connect("guest", "guest", wait=True)
    start = (time.monotonic(), cpu())

    if mode == "produce":
        for _ in range(count):
            conn.send(destination, body)
    elif mode == "consume":
        conn.subscribe(destination, id="0", ack=ack)
        if not listener.done.wait(TIMEOUT):
            sys.exit("stomp.py: got %d of %d messages" % (listener.received, count))
    elif mode == "latency":
        listener.wait_receipt("sub", lambda: conn.subscribe(destination, id="0", ack="auto",
                                                            receipt="sub"))
        samples = []
        for i in range(-LATENCY_WARMUP, count):
            if i == 0:
                start = (time.monotonic(), cpu())
            listener.message.clear()
            t = time.monotonic()
            conn.send(destination, body)
            if not listener.message.wait(TIMEOUT):
                sys.exit("stomp.py: no MESSAGE")
            if i >= 0:
                samples.append(time.monotonic() - t)
    else:
        sys.exit("unknown mode " + mode)

    listener.wait_receipt("bye", lambda: conn.disconnect(receipt="bye"))
    report(mode, start, count, samples if mode == "latency" else None)


if __name__ == "__main__":
    main()
