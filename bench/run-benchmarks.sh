#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-benchmarks.sh - the client benchmarks of bench/README.md, side by side
# with a raw-socket client and peers (stomp.py, PHP's php-stomp).
#
# Usage: bench/run-benchmarks.sh
#
# Steps: install the peers if missing (STOMPEST_WITH_PEERS=1
# scripts/install-deps.sh); set up and build a release build in build-bench/
# (or $BUILD_DIR); start sink-server and throwaway RabbitMQ and ActiveMQ
# brokers in a temporary directory, on ports no packaged service uses; check
# whether StompestSession passes its tests (`meson test session`: its rows
# are added only then); run bench/run-benchmarks.py, which prints the tables
# (also saved to $BUILD_DIR/bench-results.md). Everything started here is
# stopped by pid on exit, also on failure or Ctrl-C.
#
# Environment:
#   BUILD_DIR      build directory (default build-bench)
#   BENCH_QUICK=1  a smoke run: one run each and small counts
#   BENCH_SESSION  1 or 0 to force the StompestSession rows on or off
#   BENCH_BROKERS  which brokers: "rabbitmq activemq" (default), one of
#                  them, or "none" for the sink-server tables only
#   RABBITMQ_PORT (58613), ACTIVEMQ_PORT (58623), SINK_PORT (58633),
#   EPMD_PORT (58609)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build-bench}
RABBITMQ_PORT=${RABBITMQ_PORT:-58613}
ACTIVEMQ_PORT=${ACTIVEMQ_PORT:-58623}
SINK_PORT=${SINK_PORT:-58633}
BROKERCTL=$ROOT/tests/brokers/brokerctl.sh
T0=$SECONDS

log() { printf '[%s +%4ds] run-benchmarks: %s\n' "$(date +%H:%M:%S)" $((SECONDS - T0)) "$*" >&2; }

BROKER_DIR=""
SINK_PID=""
cleanup() {
  if [ -n "$SINK_PID" ]; then
    kill -TERM "$SINK_PID" 2>/dev/null || true
  fi
  if [ -n "$BROKER_DIR" ]; then
    log "stopping the brokers"
    BROKER_DIR=$BROKER_DIR EPMD_PORT=$EPMD_PORT "$BROKERCTL" stop-all || true
    rm -rf "$BROKER_DIR"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "installing missing packages (STOMPEST_WITH_PEERS=1 scripts/install-deps.sh)"
STOMPEST_WITH_PEERS=1 scripts/install-deps.sh

brokers=${BENCH_BROKERS:-rabbitmq activemq}
use() { case " $brokers " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
export EPMD_PORT=${EPMD_PORT:-58609}
if use rabbitmq || use activemq; then
  BROKER_DIR=$(mktemp -d /tmp/stompest-bench-brokers.XXXXXX)
  log "starting the brokers ($brokers) in $BROKER_DIR"
  "$BROKERCTL" certs "$BROKER_DIR/certs" >/dev/null
  export BROKER_DIR
  export RABBITMQ_STOMP_PORT=$RABBITMQ_PORT RABBITMQ_STOMPS_PORT=$((RABBITMQ_PORT + 1))
  export ACTIVEMQ_STOMP_PORT=$ACTIVEMQ_PORT ACTIVEMQ_STOMPS_PORT=$((ACTIVEMQ_PORT + 1))
  if use rabbitmq; then "$BROKERCTL" rabbitmq-start; fi
  if use activemq; then "$BROKERCTL" activemq-start; fi
fi

# The build overlaps the brokers' boot.
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  log "setting up $BUILD_DIR (release)"
  meson setup "$BUILD_DIR" --buildtype=release -Ddocumentation=disabled >/dev/null
fi
log "building"
ninja -C "$BUILD_DIR" >/dev/null

"$BUILD_DIR/bench/sink-server" --port "$SINK_PORT" > "$BUILD_DIR/sink-server.log" 2>&1 &
SINK_PID=$!

if [ -z "${BENCH_SESSION:-}" ]; then
  log "checking StompestSession (meson test session)"
  if meson test -C "$BUILD_DIR" session >/dev/null 2>&1; then
    BENCH_SESSION=1
  else
    BENCH_SESSION=0
    log "StompestSession does not pass its tests: its rows are left out (pending)"
  fi
fi

if use activemq; then "$BROKERCTL" activemq-wait 90; fi
if use rabbitmq; then "$BROKERCTL" rabbitmq-wait 120; fi
"$BROKERCTL" wait 10 "$SINK_PORT"

log "running the benchmarks (5 to 10 minutes; the tables follow)"
BENCH_BUILD=$BUILD_DIR BENCH_SINK=$SINK_PORT BENCH_SESSION=$BENCH_SESSION \
  BENCH_RABBITMQ=$(use rabbitmq && echo "$RABBITMQ_PORT" || true) \
  BENCH_ACTIVEMQ=$(use activemq && echo "$ACTIVEMQ_PORT" || true) \
  /usr/bin/python3 bench/run-benchmarks.py | tee "$BUILD_DIR/bench-results.md"
log "done; tables saved in $BUILD_DIR/bench-results.md"
