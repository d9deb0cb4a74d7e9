#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-async-examples.sh PRODUCER TRANSFORMER CONSUMER - runs the
# asynchronous examples as stompest's README chains them, against each real
# broker that scripts/run-tests.sh starts: the transformer in the
# background, the producer sending counts 0..N-1 to its input queue, the
# consumer reading counts 1..N from its output queue. Every queue is new.
# Exits 77 (skip) without $STOMPEST_TEST_RABBITMQ_URI.
set -u

producer=${1:?usage: run-async-examples.sh PRODUCER TRANSFORMER CONSUMER}
transformer=${2:?usage: run-async-examples.sh PRODUCER TRANSFORMER CONSUMER}
consumer=${3:?usage: run-async-examples.sh PRODUCER TRANSFORMER CONSUMER}
n=5

if [ -z "${STOMPEST_TEST_RABBITMQ_URI:-}" ]; then
  echo "SKIP: STOMPEST_TEST_RABBITMQ_URI is unset: the real brokers come with scripts/run-tests.sh"
  exit 77
fi

failed=0
fail() { echo "FAIL: $*"; failed=1; }
show() { sed "s|^|  $1: |" "$2"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/stompest-async-examples.XXXXXX")
trap 'rm -rf "$work"' EXIT

for uri in "$STOMPEST_TEST_RABBITMQ_URI" ${STOMPEST_TEST_ACTIVEMQ_URI:+"$STOMPEST_TEST_ACTIVEMQ_URI"}; do
  base=/queue/stompest-async-examples-$$-$(date +%s%N)
  echo "# $uri, queues $base.*"

  timeout 60 "$transformer" --count=$n --idle-timeout=30 --in="$base.in" --out="$base.out" \
    --error="$base.error" "$uri" > "$work/transformer" 2>&1 &
  transformer_pid=$!

  if ! timeout 60 "$producer" --count=$n --destination="$base.in" "$uri" > "$work/producer" 2>&1; then
    fail "the producer failed"
  fi
  show producer "$work/producer"
  grep -Fxq "sent $n messages to $base.in (all receipts confirmed)" "$work/producer" \
    || fail "the producer did not report $n confirmed messages"

  if ! timeout 60 "$consumer" --count=$n --idle-timeout=30 --destination="$base.out" \
         --error="$base.error" "$uri" > "$work/consumer" 2>&1; then
    fail "the consumer failed"
  fi
  show consumer "$work/consumer"
  for i in $(seq $n); do
    grep -Fxq "received count $i" "$work/consumer" || fail "the consumer did not print count $i"
  done

  wait $transformer_pid || fail "the transformer exited with status $?"
  show transformer "$work/transformer"
  grep -Fxq "transformed $n messages" "$work/transformer" \
    || fail "the transformer did not report $n messages"
done

[ $failed -eq 0 ] && echo "PASS"
exit $failed
