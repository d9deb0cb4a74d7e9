#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# install-check.sh BUILD_DIR WITH_GIR - installs the build into a temporary
# DESTDIR and uses it from outside, as a user of the library would: builds
# and runs a C program with the flags `pkg-config stompest-glib-1.0` gives,
# then (WITH_GIR = true) runs a Python program on the installed typelib.
# Prints TAP. Nothing of the source or build tree is on any search path.
set -u

build_dir=${1:?usage: install-check.sh BUILD_DIR WITH_GIR}
with_gir=${2:-true}
CC=${CC:-cc}

work=$(mktemp -d "${TMPDIR:-/tmp}/stompest-install-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
destdir=$work/destdir

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
  n=$((n + 1)); failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  printf '%s\n' "$@" | sed 's/^/# /'
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

echo "1..4"

if out=$(meson install -C "$build_dir" --destdir "$destdir" --no-rebuild --quiet 2>&1); then
  ok "meson install --destdir"
else
  not_ok "meson install --destdir" "$out"
  exit 1
fi

pc_file=$(find "$destdir" -name stompest-glib-1.0.pc -print -quit)
if [ -z "$pc_file" ]; then
  not_ok "stompest-glib-1.0.pc is installed"
  exit 1
fi
libdir=$(dirname "$(dirname "$pc_file")")

# Relocate only our .pc file: PKG_CONFIG_SYSROOT_DIR and --define-prefix
# would move glib's paths as well (and --define-prefix guesses the prefix
# wrongly under a multiarch libdir such as lib/x86_64-linux-gnu).
mkdir -p "$work/pkgconfig"
sed "s|^prefix=|prefix=$destdir|" "$pc_file" > "$work/pkgconfig/stompest-glib-1.0.pc"
export PKG_CONFIG_PATH=$work/pkgconfig

cat > "$work/consumer.c" <<'EOF'
#include <stompest-glib/stompest-glib.h>

#if !STOMPEST_CHECK_VERSION (0, 1, 0)
#error "stompest-glib is too old"
#endif

int
main (void)
{
  g_autoptr(StompestParser) parser = stompest_parser_new ();
  g_autoptr(StompestFrame) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) schemes = stompest_transport_list_schemes ();
  static const char wire[] = "RECEIPT\nreceipt-id:77\n\n";

  stompest_parser_feed (parser, (const guint8 *) wire, sizeof wire);  /* with the NUL */
  frame = stompest_parser_next_frame (parser, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stompest_commands_read_receipt (frame, &error), ==, "77");
  g_assert_true (g_strv_contains ((const char * const *) schemes, "tcp"));
  g_assert_true (G_TYPE_IS_ENUM (STOMPEST_TYPE_VERSION));

  stompest_parser_feed (parser, (const guint8 *) "BOGUS\n\n", 8);
  g_assert_null (stompest_parser_next_frame (parser, &error));
  g_assert_error (error, STOMPEST_ERROR, STOMPEST_ERROR_PARSE);

  g_print ("stompest-glib %s\n", STOMPEST_VERSION_S);
  return 0;
}
EOF

# shellcheck disable=SC2086  # the flags are split into words on purpose
if ! flags=$(pkg-config --cflags --libs stompest-glib-1.0 2>&1); then
  not_ok "a C program builds with pkg-config stompest-glib-1.0" "$flags"
elif ! out=$($CC -Wall -Wextra -Werror -o "$work/consumer" "$work/consumer.c" $flags 2>&1); then
  not_ok "a C program builds with pkg-config stompest-glib-1.0" "flags: $flags" "$out"
else
  case $flags in
    *"$destdir"*) ok "a C program builds with pkg-config stompest-glib-1.0" ;;
    *) not_ok "a C program builds with pkg-config stompest-glib-1.0" "flags outside $destdir: $flags" ;;
  esac
fi

if [ ! -x "$work/consumer" ]; then
  not_ok "the C program runs on the installed library" "it was not built"
elif out=$(LD_LIBRARY_PATH=$libdir "$work/consumer" 2>&1) &&
     resolved=$(LD_LIBRARY_PATH=$libdir ldd "$work/consumer" | grep libstompest-glib) &&
     [[ $resolved == *"$destdir"* ]]; then
  ok "the C program runs on the installed library ($out)"
else
  not_ok "the C program runs on the installed library" "$out" "${resolved:-}"
fi

if [ "$with_gir" != true ]; then
  skip "Python uses the installed typelib" "introspection is disabled in this build"
else
  if out=$(GI_TYPELIB_PATH=$libdir/girepository-1.0 LD_LIBRARY_PATH=$libdir \
           /usr/bin/python3 - "$destdir" 2>&1 <<'EOF'
import sys

import gi

gi.require_version("GIRepository", "2.0")
gi.require_version("Stompest", "1.0")
from gi.repository import GIRepository, GLib, Stompest

typelib = GIRepository.Repository.get_default().get_typelib_path("Stompest")
assert typelib.startswith(sys.argv[1]), f"typelib from {typelib}"
frame = Stompest.Frame.new("SEND")
frame.add_header("destination", "/queue/a")
frame.set_body(GLib.Bytes.new(b"hi"))
wire = frame.to_bytes(Stompest.Version.STOMP_1_2, Stompest.CompileFlags.NONE).get_data()
assert wire == b"SEND\ndestination:/queue/a\n\nhi\x00", wire
try:
    Stompest.Failover.new("failover:(tcp://a:1")
    raise AssertionError("no error")
except GLib.Error as error:
    assert error.matches(Stompest.error_quark(), Stompest.Error.INVALID_URI), error
print(typelib)
EOF
  ); then
    ok "Python uses the installed typelib ($out)"
  else
    not_ok "Python uses the installed typelib" "$out"
  fi
fi

[ $failed -eq 0 ]
