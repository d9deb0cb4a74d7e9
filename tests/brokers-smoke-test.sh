#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Checks the real-broker fixture that scripts/run-tests.sh sets up: each of
# the four broker URIs answers a STOMP CONNECT with a 1.2 CONNECTED (TLS
# verified against the test CA, and refused with an untrusted one), and the
# throwaway certificates are what the TLS tests expect. Prints TAP; exits 77
# when the STOMPEST_TEST_* variables are unset.
set -u

uris=(
  "rabbitmq ${STOMPEST_TEST_RABBITMQ_URI:-}"
  "rabbitmq ${STOMPEST_TEST_RABBITMQ_TLS_URI:-}"
  "activemq ${STOMPEST_TEST_ACTIVEMQ_URI:-}"
  "activemq ${STOMPEST_TEST_ACTIVEMQ_TLS_URI:-}"
)

for v in STOMPEST_TEST_RABBITMQ_URI STOMPEST_TEST_RABBITMQ_TLS_URI \
         STOMPEST_TEST_ACTIVEMQ_URI STOMPEST_TEST_ACTIVEMQ_TLS_URI \
         STOMPEST_TEST_CA_FILE STOMPEST_TEST_CERT_DIR; do
  if [ -z "${!v:-}" ]; then
    echo "1..0 # SKIP $v is unset: the real brokers come with scripts/run-tests.sh"
    exit 77
  fi
done
if ! command -v openssl >/dev/null; then
  echo "1..0 # SKIP openssl is not installed"
  exit 77
fi

CERTS=$STOMPEST_TEST_CERT_DIR
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
  n=$((n + 1)); failed=$((failed + 1))
  echo "not ok $n - $1"
  shift
  printf '%s\n' "$@" | sed 's/^/# /'
}

# A shell variable cannot hold the NUL frame ends, so print them directly.
frames() {
  printf 'CONNECT\naccept-version:1.0,1.1,1.2\nhost:%s\n\n\0' "$1"
  printf 'DISCONNECT\nreceipt:smoke-bye\n\n\0'
}

# session SCHEME HOST PORT CAFILE VHOST: send CONNECT and a DISCONNECT with a
# receipt, print what the server sent (NUL frame ends as newlines) until it
# closes. TLS errors go to stderr.
session() {
  local scheme=$1 host=$2 port=$3 ca=$4 vhost=$5
  if [ "$scheme" = tcp ]; then
    (
      exec 3<>"/dev/tcp/$host/$port" || exit 1
      frames "$vhost" >&3
      timeout 15 cat <&3
    ) | tr '\0' '\n'
  else
    frames "$vhost" |
      timeout 15 openssl s_client -quiet -connect "$host:$port" -servername "$host" \
        -CAfile "$ca" -verify_return_error -verify_hostname "$host" |
      tr '\0' '\n'
  fi
}

# The first frame must be CONNECTED with version:1.2 among its headers.
check_connected() {
  awk 'NR == 1 { if ($0 != "CONNECTED") exit 1; next }
       $0 == "" { exit (v ? 0 : 1) }
       $0 == "version:1.2" { v = 1 }
       END { if (NR < 2) exit 1 }' <<< "$1"
}

echo "1..8"

for entry in "${uris[@]}"; do
  broker=${entry%% *}
  uri=${entry#* }
  scheme=${uri%%://*}
  hostport=${uri#*://}
  host=${hostport%:*}
  port=${hostport##*:}
  # RabbitMQ maps host to a vhost; ActiveMQ ignores it.
  vhost=/
  [ "$broker" = activemq ] && vhost=$host
  errlog=$(mktemp)
  out=$(session "$scheme" "$host" "$port" "$STOMPEST_TEST_CA_FILE" "$vhost" 2> "$errlog")
  if check_connected "$out"; then
    ok "$broker $uri: CONNECTED version:1.2 ($(grep -m1 '^server:' <<< "$out"))"
  else
    not_ok "$broker $uri: no CONNECTED with version:1.2" "received:" "$out" \
      "stderr:" "$(tail -n 5 "$errlog")"
  fi
  if [ "$scheme" = ssl ]; then
    # An untrusted certificate as the only anchor must fail the handshake.
    out=$(session "$scheme" "$host" "$port" "$CERTS/rogue.pem" "$vhost" 2> "$errlog")
    if [ -z "$out" ] && grep -q 'verify' "$errlog"; then
      ok "$broker $uri: refused with an untrusted CA"
    else
      not_ok "$broker $uri: TLS accepted without the test CA" "$out"
    fi
  fi
  rm -f "$errlog"
done

# verify_cert NAME PURPOSE HOST|IPV4|"" EXPECT(pass|fail) CAFILE
verify_cert() {
  local out result=pass
  local args=(-CAfile "$5" -purpose "$2")
  case $3 in
    "") ;;
    *[!0-9.]*) args+=(-verify_hostname "$3") ;;
    *) args+=(-verify_ip "$3") ;;
  esac
  out=$(openssl verify "${args[@]}" "$CERTS/$1.pem" 2>&1) || result=fail
  [ "$result" = "$4" ] && return 0
  echo "$1.pem for '$3' ($2): expected $4, got: $out"
}

# The certificates the TLS tests rely on.
problems=$(
  verify_cert server sslserver localhost pass "$STOMPEST_TEST_CA_FILE"
  verify_cert server sslserver 127.0.0.1 pass "$STOMPEST_TEST_CA_FILE"
  verify_cert wronghost sslserver wrong.invalid pass "$STOMPEST_TEST_CA_FILE"
  verify_cert wronghost sslserver localhost fail "$STOMPEST_TEST_CA_FILE"
  verify_cert rogue sslserver localhost fail "$STOMPEST_TEST_CA_FILE"
  verify_cert client sslclient "" pass "$STOMPEST_TEST_CA_FILE"
)
if [ -z "$problems" ]; then
  ok "certificates: server, wronghost, rogue and client verify as expected"
else
  not_ok "certificates do not verify as expected" "$problems"
fi

# Every key file matches its certificate.
mismatch=""
for name in ca server wronghost rogue client; do
  a=$(openssl x509 -in "$CERTS/$name.pem" -noout -pubkey 2>&1)
  b=$(openssl pkey -in "$CERTS/$name.key" -pubout 2>&1)
  [ "$a" = "$b" ] || mismatch="$mismatch $name"
done
if [ -z "$mismatch" ]; then
  ok "certificates: each key matches its certificate"
else
  not_ok "certificates: key does not match for:$mismatch"
fi

[ $failed -eq 0 ]
