#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# demo.sh - moves real messages through a throwaway local RabbitMQ.
#
# Usage: scripts/demo.sh
#
# Installs missing Debian packages (scripts/install-deps.sh), builds the two
# example programs in build-demo/, starts a RabbitMQ of its own on 127.0.0.1
# from a temporary directory, runs examples/stompest-producer (sends 3
# messages) and then examples/stompest-consumer (prints and acks them), and
# stops the broker by pid and removes the directory when it ends, also on
# failure or Ctrl-C. Exits non-zero when any step fails.
#
# Its ports are not the packaged or test-suite defaults, so a running
# scripts/run-tests.sh is not disturbed (environment):
#   DEMO_STOMP_PORT   64613 (plain STOMP; the TLS listener takes the next
#                     port and Erlang distribution the one after)
#   DEMO_EPMD_PORT    64369 (a private epmd, stopped with the broker)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=build-demo
BROKERCTL=$ROOT/tests/brokers/brokerctl.sh
STOMP_PORT=${DEMO_STOMP_PORT:-64613}
URI=tcp://127.0.0.1:$STOMP_PORT
T0=$SECONDS

log() { printf '[demo +%ds] %s\n' $((SECONDS - T0)) "$*"; }
die() { log "$*" >&2; exit 1; }

log "installing missing Debian packages (scripts/install-deps.sh)"
scripts/install-deps.sh

# brokerctl reads these; the instance is named after the STOMP port.
BROKER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/stompest-demo.XXXXXX")
export BROKER_DIR
export RABBITMQ_STOMP_PORT=$STOMP_PORT
export RABBITMQ_STOMPS_PORT=$((STOMP_PORT + 1))
export RABBITMQ_DIST_PORT=$((STOMP_PORT + 2))
export EPMD_PORT=${DEMO_EPMD_PORT:-64369}

# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  log "stopping the broker"
  "$BROKERCTL" stop-all || true
  rm -rf "$BROKER_DIR"
  if [ "$rc" -eq 0 ]; then
    log "done in $((SECONDS - T0)) s"
  else
    log "FAILED (exit status $rc) after $((SECONDS - T0)) s" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The broker boots (about 6 s) while the examples build.
log "starting RabbitMQ on 127.0.0.1:$STOMP_PORT in $BROKER_DIR"
"$BROKERCTL" certs "$BROKER_DIR/certs"
"$BROKERCTL" rabbitmq-start

log "building the examples in $BUILD_DIR/"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  meson setup "$BUILD_DIR" -Dtests=false -Dintrospection=disabled \
    -Ddocumentation=disabled > "$BROKER_DIR/meson-setup.log" 2>&1 \
    || { cat "$BROKER_DIR/meson-setup.log" >&2; die "meson setup failed"; }
fi
ninja -C "$BUILD_DIR" --quiet examples/stompest-producer examples/stompest-consumer \
  || die "the build failed"

if ! "$BROKERCTL" rabbitmq-wait 60; then
  "$BROKERCTL" log rabbitmq >&2 || true
  die "RabbitMQ did not start; its logs are above"
fi
log "RabbitMQ is ready"

log "producer: $BUILD_DIR/examples/stompest-producer $URI"
"$BUILD_DIR/examples/stompest-producer" "$URI" || die "the producer failed"

log "consumer: $BUILD_DIR/examples/stompest-consumer --count=3 $URI"
"$BUILD_DIR/examples/stompest-consumer" --count=3 "$URI" | tee "$BROKER_DIR/consumer.out" \
  || die "the consumer failed"
grep -qx 'received 3 messages from /queue/test' "$BROKER_DIR/consumer.out" \
  || die "the consumer did not get the 3 messages"
