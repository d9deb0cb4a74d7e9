#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-tests.sh - build stompest-glib from scratch and run every test suite,
# including the ones against real RabbitMQ and ActiveMQ brokers on loopback.
#
# Usage: scripts/run-tests.sh [--full] [--no-valgrind] [--keep-build]
#
#   --full         the memory-checking run, which CI (.ci/run) does: also
#                  run the broker C suites (client-broker, session-broker,
#                  client-broker-restart, fault) under valgrind, and build
#                  with gcc and -Db_sanitize=address,undefined in
#                  build-asan/ (or $ASAN_DIR) and run every C suite there
#   --no-valgrind  skip the valgrind run
#   --keep-build   reuse the existing build directories instead of wiping them
#
# FUZZ_SECONDS (default 20) is how long each libFuzzer target runs when
# clang and libFuzzer are present (in build-fuzz/ or $FUZZ_BUILD_DIR);
# tests/fuzzing/README.md has the long run.
#
# Steps: install missing Debian packages (scripts/install-deps.sh); set up and
# build build/ (or $BUILD_DIR) while throwaway certificates are made and the
# brokers boot in a temporary directory; run `meson test` on all suites, then
# the unit suite (with --full: the unit and broker C suites) under valgrind,
# then the fuzzers, then (with --full) the ASan+UBSan build and its tests.
# Every broker started here (and its private epmd) is stopped on exit, also on
# failure or Ctrl-C. The broker directory is removed after a clean run and
# kept, with its logs, after a failure.
#
# The brokers listen on 127.0.0.1 at RABBITMQ_STOMP_PORT (61613),
# RABBITMQ_STOMPS_PORT (61614), ACTIVEMQ_STOMP_PORT (61623) and
# ACTIVEMQ_STOMPS_PORT (61624); set these (and EPMD_PORT, 4379, see
# tests/brokers/brokerctl.sh) to run beside another instance of this script.
#
# Times on the two-core test machine: about 8 minutes without --full,
# about 15 with it (docs/reliability.md has the steps).
#
# The tests find the brokers through these environment variables:
#   STOMPEST_TEST_BROKER_DIR    instance directories, pid files, logs
#   STOMPEST_TEST_BROKERCTL     tests/brokers/brokerctl.sh (stop, kill, restart,
#                               second instances; see its header)
#   STOMPEST_TEST_CERT_DIR      certificates; STOMPEST_TEST_CA_FILE its ca.pem
#   STOMPEST_TEST_{RABBITMQ,ACTIVEMQ}_URI and ..._TLS_URI
#   STOMPEST_TEST_{RABBITMQ,ACTIVEMQ}_STOMP_PORT, ..._STOMPS_PORT, ..._PID_FILE
#
# Prints `N passed, N failed, N skipped` over all runs last, and exits
# non-zero when anything failed. Progress lines go to stderr.
set -euo pipefail

full=0
valgrind=1
keep=0
for arg in "$@"; do
  case $arg in
    --full) full=1 ;;
    --no-valgrind) valgrind=0 ;;
    --keep-build) keep=1 ;;
    -h|--help) awk 'NR > 2 && !/^#/ { exit } NR > 2 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "run-tests: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
ASAN_DIR=${ASAN_DIR:-build-asan}
FUZZ_BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
BROKERCTL=$ROOT/tests/brokers/brokerctl.sh
T0=$SECONDS

log() { printf '[%s +%4ds] run-tests: %s\n' "$(date +%H:%M:%S)" $((SECONDS - T0)) "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

log "installing missing packages (scripts/install-deps.sh)"
t=$SECONDS
scripts/install-deps.sh
log "dependencies ready in $((SECONDS - t)) s"

# --- brokers ------------------------------------------------------------------

BROKER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/stompest-brokers.XXXXXX")
export BROKER_DIR
keep_broker_dir=0

# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  log "stopping brokers"
  "$BROKERCTL" stop-all || true
  if [ "$rc" -eq 0 ] && [ "$keep_broker_dir" -eq 0 ]; then
    rm -rf "$BROKER_DIR"
  else
    log "broker logs kept in $BROKER_DIR"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

RABBITMQ_STOMP_PORT=${RABBITMQ_STOMP_PORT:-61613}
RABBITMQ_STOMPS_PORT=${RABBITMQ_STOMPS_PORT:-61614}
ACTIVEMQ_STOMP_PORT=${ACTIVEMQ_STOMP_PORT:-61623}
ACTIVEMQ_STOMPS_PORT=${ACTIVEMQ_STOMPS_PORT:-61624}
export RABBITMQ_STOMP_PORT RABBITMQ_STOMPS_PORT ACTIVEMQ_STOMP_PORT ACTIVEMQ_STOMPS_PORT
# Said aloud: a shell that exports these for other brokers would
# otherwise move the whole run there without a word.
log "broker ports: RabbitMQ $RABBITMQ_STOMP_PORT/$RABBITMQ_STOMPS_PORT," \
    "ActiveMQ $ACTIVEMQ_STOMP_PORT/$ACTIVEMQ_STOMPS_PORT, epmd ${EPMD_PORT:-4379}"

log "making certificates and starting RabbitMQ and ActiveMQ in $BROKER_DIR"
"$BROKERCTL" certs "$BROKER_DIR/certs"
"$BROKERCTL" rabbitmq-start
"$BROKERCTL" activemq-start
t_brokers=$SECONDS

# --- build --------------------------------------------------------------------

# setup_and_build DIR MESON_ARGS...
setup_and_build() {
  local dir=$1
  shift
  if [ $keep -eq 0 ]; then
    rm -rf "$dir"
  fi
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  fi
  ninja -C "$dir"
  # Fresh logs, so the summary only counts this run.
  rm -f "$dir"/meson-logs/testlog*.json
}

log "building in $BUILD_DIR"
t=$SECONDS
setup_and_build "$BUILD_DIR"
log "build done in $((SECONDS - t)) s"

# wait_broker NAME: fail loudly, with the log tail, if it did not boot.
wait_broker() {
  if ! "$BROKERCTL" "$1-wait" 60; then
    "$BROKERCTL" log "$1" >&2 || true
    die "$1 did not start; its logs are above"
  fi
}
wait_broker rabbitmq
wait_broker activemq
log "brokers ready $((SECONDS - t_brokers)) s after start"

export STOMPEST_TEST_BROKER_DIR=$BROKER_DIR
export STOMPEST_TEST_BROKERCTL=$BROKERCTL
export STOMPEST_TEST_CERT_DIR=$BROKER_DIR/certs
export STOMPEST_TEST_CA_FILE=$BROKER_DIR/certs/ca.pem
export STOMPEST_TEST_RABBITMQ_URI=tcp://127.0.0.1:$RABBITMQ_STOMP_PORT
export STOMPEST_TEST_RABBITMQ_TLS_URI=ssl://localhost:$RABBITMQ_STOMPS_PORT
export STOMPEST_TEST_RABBITMQ_STOMP_PORT=$RABBITMQ_STOMP_PORT
export STOMPEST_TEST_RABBITMQ_STOMPS_PORT=$RABBITMQ_STOMPS_PORT
export STOMPEST_TEST_RABBITMQ_PID_FILE=$BROKER_DIR/rabbitmq-$RABBITMQ_STOMP_PORT/beam.pid
export STOMPEST_TEST_ACTIVEMQ_URI=tcp://127.0.0.1:$ACTIVEMQ_STOMP_PORT
export STOMPEST_TEST_ACTIVEMQ_TLS_URI=ssl://localhost:$ACTIVEMQ_STOMPS_PORT
export STOMPEST_TEST_ACTIVEMQ_STOMP_PORT=$ACTIVEMQ_STOMP_PORT
export STOMPEST_TEST_ACTIVEMQ_STOMPS_PORT=$ACTIVEMQ_STOMPS_PORT
export STOMPEST_TEST_ACTIVEMQ_PID_FILE=$BROKER_DIR/activemq-$ACTIVEMQ_STOMP_PORT/activemq.pid

# --- tests --------------------------------------------------------------------

status=0
logs=()

# run_meson_test LABEL LOGFILE ARGS...: a failing run is recorded, not fatal.
run_meson_test() {
  local label=$1 logfile=$2 t=$SECONDS rc=0
  shift 2
  log "meson test $*"
  meson test "$@" || rc=$?
  log "$label: exit status $rc after $((SECONDS - t)) s"
  if [ $rc -ne 0 ]; then
    status=1
    [ -f "$logfile" ] || log "$label: meson wrote no $logfile (the run itself failed)"
  fi
  logs+=("$label=$logfile")
}

run_meson_test tests "$BUILD_DIR/meson-logs/testlog.json" \
  -C "$BUILD_DIR" --print-errorlogs
if [ $valgrind -eq 1 ]; then
  # The unit suite; with --full every suite the valgrind setup of
  # meson.build does not exclude: the unit and the broker C suites.
  valgrind_suites=(--suite unit)
  [ $full -eq 0 ] || valgrind_suites=()
  run_meson_test valgrind "$BUILD_DIR/meson-logs/testlog-valgrind.json" \
    -C "$BUILD_DIR" --setup=valgrind "${valgrind_suites[@]}" --print-errorlogs
fi
# Each fuzz target for a short, bounded time; a crash becomes a corpus file
# and a failure here. One result line per target joins the summary.
fuzz_log=$BUILD_DIR/meson-logs/fuzzing.json
: > "$fuzz_log"
if tests/fuzzing/run-fuzzers.sh --available; then
  for target in fuzz-parser fuzz-roundtrip fuzz-failover; do
    result=OK
    FUZZ_BUILD_DIR=$FUZZ_BUILD_DIR tests/fuzzing/run-fuzzers.sh "$FUZZ_SECONDS" "$target" ||
      { result=FAIL; status=1; log "$target found a crash (reproducer copied into tests/fuzzing/corpus/$target/)"; }
    printf '{"name": "%s", "result": "%s"}\n' "$target" "$result" >> "$fuzz_log"
  done
else
  log "clang/libFuzzer not found: fuzzing skipped (the corpus replay ran above)"
fi
logs+=("fuzzing=$fuzz_log")

if [ $full -eq 1 ]; then
  log "building with ASan+UBSan (gcc) in $ASAN_DIR"
  t=$SECONDS
  # Introspection and docs off: only the C suites are wanted here.
  CC=gcc setup_and_build "$ASAN_DIR" -Db_sanitize=address,undefined \
    -Dbuildtype=debug -Dintrospection=disabled -Ddocumentation=disabled
  log "ASan build done in $((SECONDS - t)) s"
  run_meson_test asan "$ASAN_DIR/meson-logs/testlog.json" \
    -C "$ASAN_DIR" --print-errorlogs
fi

# --- summary ------------------------------------------------------------------

# One JSON object per test per run; meson's result names are counted as
# passed (OK, EXPECTEDFAIL), skipped (SKIP) or failed (everything else).
summary=$(/usr/bin/python3 - "${logs[@]}" <<'EOF'
import json, sys
passed = {'OK', 'EXPECTEDFAIL'}
skipped = {'SKIP'}
total = [0, 0, 0]
for arg in sys.argv[1:]:
    label, path = arg.split('=', 1)
    counts = [0, 0, 0]
    try:
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                result = json.loads(line)['result']
                counts[0 if result in passed else 2 if result in skipped else 1] += 1
    except FileNotFoundError:
        pass
    print(f'{label}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped',
          file=sys.stderr)
    total = [a + b for a, b in zip(total, counts)]
print(f'{total[0]} passed, {total[1]} failed, {total[2]} skipped')
sys.exit(1 if total[1] else 0)
EOF
) || status=1

[ $status -eq 0 ] || keep_broker_dir=1
log "finished in $((SECONDS - T0)) s"
echo "$summary"
exit $status
