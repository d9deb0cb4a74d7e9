#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# run-fuzzers.sh - build the libFuzzer targets with clang, ASan and UBSan,
# and fuzz each of them for a while.
#
# Usage: tests/fuzzing/run-fuzzers.sh [--available] [SECONDS [TARGET...]]
#
#   SECONDS      how long to fuzz each target (default 60)
#   TARGET       fuzz-parser, fuzz-roundtrip or fuzz-failover (default: all)
#   --available  only tell, by the exit status, whether clang can build
#                libFuzzer targets here (0: yes, 1: no); builds nothing
#
# The build goes to $FUZZ_BUILD_DIR (default build-fuzz/ in the source
# tree), set up once with
#   CC=clang meson setup build-fuzz -Dfuzzing=enabled \
#     -Db_sanitize=address,undefined -Db_lundef=false \
#     -Dintrospection=disabled -Ddocumentation=disabled
# Each target starts from its seed corpus tests/fuzzing/corpus/<target>/
# and its dictionary; the inputs it finds are kept in
# $FUZZ_BUILD_DIR/fuzz-corpus/<target>/ and reused by the next run, never
# written to the source tree. A crash, leak, timeout or out-of-memory input
# is copied into tests/fuzzing/corpus/<target>/ as a regression file (the
# 'fuzzing' meson suite then replays it) and the script fails.
#
# Prints the executions and executions per second of every target last,
# and exits non-zero when any target failed.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/tests/fuzzing
BUILD_DIR=${FUZZ_BUILD_DIR:-build-fuzz}
ALL_TARGETS=(fuzz-parser fuzz-roundtrip fuzz-failover)

log() { printf '[%s] run-fuzzers: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Whether clang links a libFuzzer program with the sanitizers used here.
available() {
  local tmp rc=0
  command -v clang >/dev/null 2>&1 || return 1
  tmp=$(mktemp -d)
  printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
    'int LLVMFuzzerTestOneInput (const uint8_t *d, size_t n) { return 0; }' > "$tmp/t.c"
  clang -fsanitize=fuzzer,address,undefined "$tmp/t.c" -o "$tmp/t" >/dev/null 2>&1 || rc=1
  rm -rf "$tmp"
  return $rc
}

if [ "${1:-}" = --available ]; then
  available
  exit
fi
case ${1:-} in
  -h|--help) awk 'NR > 2 && !/^#/ { exit } NR > 2 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
esac

seconds=${1:-60}
[[ $seconds =~ ^[0-9]+$ ]] || { log "SECONDS must be a number, not '$seconds'"; exit 2; }
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")

available || { log "clang with libFuzzer, ASan and UBSan is needed"; exit 1; }

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  log "setting up $BUILD_DIR"
  CC=clang meson setup "$BUILD_DIR" -Dfuzzing=enabled \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dintrospection=disabled -Ddocumentation=disabled >&2
fi
log "building in $BUILD_DIR"
ninja -C "$BUILD_DIR" >&2

# G_SLICE: otherwise LSan cannot see leaked GObjects on GLib 2.74.
# Fast unwinding is kept (fuzzing is ~20x slower without it).
export G_SLICE=always-malloc
export ASAN_OPTIONS=detect_leaks=1
export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

status=0
summary=()
for target in "${targets[@]}"; do
  exe=$BUILD_DIR/tests/fuzzing/$target
  [ -x "$exe" ] || { log "no target $target (known: ${ALL_TARGETS[*]})"; exit 2; }
  dict=$HERE/stomp.dict
  [ "$target" = fuzz-failover ] && dict=$HERE/failover.dict
  work=$BUILD_DIR/fuzz-corpus/$target
  artifacts=$BUILD_DIR/fuzz-artifacts/$target
  mkdir -p "$work" "$artifacts"
  rm -f "$artifacts"/*
  fuzz_log=$BUILD_DIR/fuzz-$target.log

  log "fuzzing $target for $seconds s (log: $fuzz_log)"
  rc=0
  "$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2560 -dict="$dict" -artifact_prefix="$artifacts/" \
    "$work" "$HERE/corpus/$target" >"$fuzz_log" 2>&1 || rc=$?

  runs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$fuzz_log")
  rate=$(awk '/^stat::average_exec_per_sec:/ { print $2 }' "$fuzz_log")
  result=ok
  found=("$artifacts"/*)
  if [ $rc -ne 0 ] || [ -e "${found[0]}" ]; then
    result=FAILED
    status=1
    # The sanitizer's or the target's own message, and what follows.
    grep -a -E -B3 -A10 '^==[0-9]+== ?ERROR|runtime error' "$fuzz_log" | head -n 40 >&2 ||
      tail -n 30 "$fuzz_log" >&2
    for file in "${found[@]}"; do
      [ -e "$file" ] || continue
      cp "$file" "$HERE/corpus/$target/"
      log "$target: kept the reproducer as tests/fuzzing/corpus/$target/$(basename "$file")"
    done
  fi
  summary+=("$(printf '%-16s %-7s %12s runs %8s exec/s' "$target" "$result" "${runs:-?}" "${rate:-?}")")
done

printf '%s\n' "${summary[@]}"
exit $status
