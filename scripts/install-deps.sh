#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the Debian packages the build, the tests and the demo need.
# Idempotent: packages already installed are skipped, and nothing is asked
# of apt when all are present.
set -eu

packages=(
  # build
  meson ninja-build pkg-config gcc libglib2.0-dev
  # introspection, bindings, documentation
  gobject-introspection libgirepository1.0-dev python3-gi gjs valac gi-docgen
  # runtime TLS backend and test tools
  glib-networking openssl gnutls-bin valgrind procps
  # fuzzing
  clang libclang-rt-14-dev libfuzzer-14-dev
  # real brokers
  rabbitmq-server activemq
)
if [ "${STOMPEST_WITH_PEERS:-}" = 1 ]; then
  packages+=(python3-stomp php-cli php-stomp)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
# The tests run their own throwaway brokers: keep apt from starting the
# packaged RabbitMQ and ActiveMQ services where nothing else prevents it
# (containers without systemd often have no policy-rc.d).
policy=/usr/sbin/policy-rc.d
if [ -z "$SUDO" ] && [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=900 update -q >/dev/null
$SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${missing[@]}" >/dev/null
