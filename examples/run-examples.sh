#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-examples.sh PRODUCER CONSUMER - runs the example producer, then the
# example consumer, against each real broker that scripts/run-tests.sh
# starts ($STOMPEST_TEST_RABBITMQ_URI, $STOMPEST_TEST_ACTIVEMQ_URI), each
# time on a queue of its own. Checks that the consumer printed and acked
# every body the producer sent, and that a second consumer then finds the
# queue empty (the acks took effect). Exits 77 (skip) without the brokers.
set -u

producer=${1:?usage: run-examples.sh PRODUCER CONSUMER}
consumer=${2:?usage: run-examples.sh PRODUCER CONSUMER}
n=4

for var in STOMPEST_TEST_RABBITMQ_URI STOMPEST_TEST_ACTIVEMQ_URI; do
  if [ -z "${!var:-}" ]; then
    echo "SKIP: $var is unset: the real brokers come with scripts/run-tests.sh"
    exit 77
  fi
done

failed=0
fail() { echo "FAIL: $*"; failed=1; }

# run LABEL PROGRAM ARGS...: runs PROGRAM, shows its output, keeps it in $out.
run() {
  local label=$1 rc=0
  shift
  out=$("$@" 2>&1) || rc=$?
  printf '%s\n' "$out" | sed "s|^|  $label: |"
  [ $rc -eq 0 ] || fail "$label exited with status $rc"
  return $rc
}

for broker in RABBITMQ ACTIVEMQ; do
  var=STOMPEST_TEST_${broker}_URI
  uri=${!var}
  queue=/queue/stompest-examples-$$-$(date +%s%N)
  echo "# $broker at $uri, queue $queue"

  run producer "$producer" --count=$n --destination="$queue" "$uri" || continue
  grep -Fxq "sent $n messages to $queue (receipt confirmed)" <<< "$out" \
    || fail "the producer did not report $n messages sent"

  run consumer "$consumer" --count=$n --idle-timeout=10 --destination="$queue" "$uri" || continue
  for i in $(seq $n); do
    grep -Fxq "received \"test message $i\"" <<< "$out" \
      || fail "the consumer did not print \"test message $i\""
  done
  acked=$(grep -cFx '  acked' <<< "$out")
  [ "$acked" -eq $n ] || fail "the consumer acked $acked messages, not $n"

  # Nothing may be redelivered once the first consumer has gone.
  run again "$consumer" --idle-timeout=1 --destination="$queue" "$uri" || continue
  grep -Fxq "received 0 messages from $queue" <<< "$out" \
    || fail "acked messages came back to a second consumer"
done

[ $failed -eq 0 ] && echo "PASS"
exit $failed
