#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# brokerctl.sh - throwaway STOMP brokers on loopback for the test suite
# (Debian 12: rabbitmq-server 3.10, activemq 5.17, OpenJDK 17).
#
# Usage:
#   brokerctl.sh certs DIR          throwaway CA and certificates (see below)
#   brokerctl.sh rabbitmq-start     start a RabbitMQ instance in the background
#   brokerctl.sh rabbitmq-stop      SIGTERM it and wait until it is gone
#   brokerctl.sh rabbitmq-kill      SIGKILL its Erlang VM (simulated crash)
#   brokerctl.sh rabbitmq-wait [S]  wait up to S (60) seconds for its STOMP ports
#   brokerctl.sh rabbitmq-sync      write its queue declarations to disk now (see
#                                   rabbitmq_sync below; before a -kill)
#   brokerctl.sh rabbitmqctl ARG... run rabbitmqctl against the instance
#   brokerctl.sh activemq-start     start an ActiveMQ 5 instance in the background
#   brokerctl.sh activemq-stop      SIGTERM it and wait until it is gone
#   brokerctl.sh activemq-kill      SIGKILL its JVM (simulated crash)
#   brokerctl.sh activemq-wait [S]  wait up to S (60) seconds for its STOMP ports
#   brokerctl.sh activemq-sync      nothing: KahaDB keeps destinations with the
#                                   messages (for symmetry with rabbitmq-sync)
#   brokerctl.sh log rabbitmq|activemq [LINES]   tail of the instance's logs
#   brokerctl.sh wait TIMEOUT PORT...            wait until 127.0.0.1:PORT accepts
#   brokerctl.sh stop-all           stop every instance under BROKER_DIR, then
#                                   the epmd this script started there
#
# Everything lives under BROKER_DIR (default: $STOMPEST_TEST_BROKER_DIR):
#   certs/                   certificates, unless CERT_DIR says otherwise
#   rabbitmq-<STOMP port>/   config, data, logs, Erlang cookie, pid files
#   activemq-<STOMP port>/   config, data, logs, pid file
#   epmd.pid, epmd.log       our private epmd (see below)
# An instance is named by its plain STOMP port, so a second RabbitMQ or
# ActiveMQ (for failover tests) only needs other ports, e.g.
#   RABBITMQ_STOMP_PORT=62613 RABBITMQ_STOMPS_PORT=62614 brokerctl.sh rabbitmq-start
#   ACTIVEMQ_STOMP_PORT=62623 ACTIVEMQ_STOMPS_PORT=62624 brokerctl.sh activemq-start
# and the same variables for -stop/-kill/log.
#
# Ports and knobs (environment); none is a packaged service's default port:
#   RABBITMQ_STOMP_PORT   61613     RABBITMQ_STOMPS_PORT  61614
#   RABBITMQ_DIST_PORT    STOMP port + 2 (Erlang distribution)
#   ACTIVEMQ_STOMP_PORT   61623     ACTIVEMQ_STOMPS_PORT  61624
#   ACTIVEMQ_OPENWIRE_PORT  STOMP port + 3
#   EPMD_PORT             4379 (private, so we never share or kill a system epmd)
#   TLS_SERVER_CERT       server: the broker presents CERT_DIR/<name>.pem; use
#                         "wronghost" for a CA-signed certificate for the wrong
#                         name or "rogue" for an untrusted one
#   TLS_CLIENT_AUTH=1     the TLS listener requires a client certificate
#                         signed by the test CA (client.pem)
#   ACTIVEMQ_AUTH=1       ActiveMQ requires login guest/guest (default: anyone)
# All listeners bind 127.0.0.1 only; RabbitMQ's AMQP listener is disabled.
#
# certs DIR writes (keys are throwaway, mode 644):
#   ca.pem ca.key                 the test CA
#   server.pem server.key         CN=localhost, SAN localhost, 127.0.0.1, ::1
#   client.pem client.key         CN=stomp-test-client, clientAuth
#   rogue.pem rogue.key           self-signed CN/SAN localhost: not trusted
#   wronghost.pem wronghost.key   CA-signed, CN/SAN wrong.invalid
#   <name>.p12                    PKCS12 key store of each server certificate
#   truststore.p12                PKCS12 trust store holding ca.pem
#   (Java stores use the password "password")
set -euo pipefail

die() { echo "brokerctl: $*" >&2; exit 1; }

RABBITMQ_BIN=/usr/lib/rabbitmq/bin
ACTIVEMQ_JAR=/usr/share/activemq/bin/activemq.jar

broker_dir() {
  local d=${BROKER_DIR:-${STOMPEST_TEST_BROKER_DIR:-}}
  [ -n "$d" ] || die "set BROKER_DIR (or STOMPEST_TEST_BROKER_DIR)"
  mkdir -p "$d"
  (cd "$d" && pwd)
}

# Brokers started from a test must not inherit its sanitizer or malloc
# debugging settings. (Their stdio goes to log files: meson waits for a
# test's pipes to close.)
clean_env() {
  unset LD_PRELOAD ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS MALLOC_CHECK_ \
    MALLOC_PERTURB_ G_SLICE G_DEBUG
}

# A zombie counts as gone: our daemons are orphans, and init may be slow to
# reap them.
pid_alive() {
  local stat
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

read_pid() { if [ -s "$1" ]; then cat "$1"; fi; }

# wait_gone PID SECONDS: wait for PID to exit, SIGKILL it after SECONDS.
wait_gone() {
  local pid=$1 tenths=$(( $2 * 10 )) i=0
  while pid_alive "$pid"; do
    if [ $i -ge $tenths ]; then
      echo "brokerctl: pid $pid still alive after $2 s, sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      return 1
    fi
    i=$((i + 1))
    sleep 0.1
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_free_ports() {
  local p
  for p in "$@"; do
    ! port_open "$p" || die "port 127.0.0.1:$p is already in use (another test run?)"
  done
}

# --- certificates -----------------------------------------------------------

# sign NAME SUBJECT EXTENSIONS: key + CSR, signed by the CA in the cwd.
sign() {
  openssl req -new -newkey rsa:2048 -nodes -subj "$2" \
    -keyout "$1.key" -out "$1.csr" 2>/dev/null
  printf '%b' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
    -days 3650 -sha256 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

make_certs() {
  local dir=${1:?certs DIR}
  local server_ext='basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n'
  mkdir -p "$dir"
  cd "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
    -subj "/CN=stompest-test-ca" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.pem 2>/dev/null
  sign server "/CN=localhost" \
    "${server_ext}subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
  sign wronghost "/CN=wrong.invalid" \
    "${server_ext}subjectAltName=DNS:wrong.invalid\n"
  sign client "/CN=stomp-test-client" \
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n'
  # Same names as the real server certificate, but nobody vouches for it.
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -keyout rogue.key -out rogue.pem 2>/dev/null
  rm -f ca.srl

  # Java stores for ActiveMQ.
  local name
  for name in server wronghost rogue; do
    openssl pkcs12 -export -in "$name.pem" -inkey "$name.key" -certfile ca.pem \
      -name broker -out "$name.p12" -passout pass:password
  done
  rm -f truststore.p12
  keytool -importcert -noprompt -storetype PKCS12 -keystore truststore.p12 \
    -storepass password -alias stompest-test-ca -file ca.pem >/dev/null 2>&1 \
    || die "keytool failed (is a JRE installed?)"
  chmod 644 ./*.key
}

cert_dir() {
  local c=${CERT_DIR:-$B/certs}
  [ -f "$c/ca.pem" ] || die "no certificates in $c: run 'brokerctl.sh certs $c' first"
  (cd "$c" && pwd)
}

# --- epmd -------------------------------------------------------------------

# RabbitMQ needs epmd and would otherwise start a shared one on 4369 that
# outlives it. A private one on EPMD_PORT, started here, is ours to stop.
ensure_epmd() {
  if port_open "$EPMD_PORT"; then
    return 0
  fi
  local epmd
  epmd=$(command -v epmd) || die "epmd not found (is erlang-base installed?)"
  (
    cd "$B"
    exec setsid "$epmd" -address 127.0.0.1 -port "$EPMD_PORT" \
      < /dev/null > "$B/epmd.log" 2>&1
  ) &
  echo $! > "$B/epmd.pid"
  local i
  for i in $(seq 50); do
    port_open "$EPMD_PORT" && return 0
    sleep 0.1
  done
  die "epmd did not listen on port $EPMD_PORT: $(cat "$B/epmd.log")"
}

stop_epmd() {
  local pid
  pid=$(read_pid "$B/epmd.pid")
  if pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 5 || true
  fi
  rm -f "$B/epmd.pid"
}

# --- RabbitMQ ---------------------------------------------------------------

rabbitmq_vars() {
  R_STOMP=${RABBITMQ_STOMP_PORT:-61613}
  R_STOMPS=${RABBITMQ_STOMPS_PORT:-61614}
  R_DIST=${RABBITMQ_DIST_PORT:-$(( R_STOMP + 2 ))}
  R_NODE="stompest${R_STOMP}@localhost"
  R_DIR="$B/rabbitmq-$R_STOMP"
}

# Environment that keeps the node inside R_DIR (nothing in /var or /etc).
rabbitmq_env() {
  clean_env
  export HOME="$R_DIR"   # the Erlang cookie lives here
  export RABBITMQ_NODENAME="$R_NODE"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_DIST_PORT="$R_DIST"
  export RABBITMQ_CONFIG_FILE="$R_DIR/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$R_DIR/enabled_plugins"
  export RABBITMQ_MNESIA_BASE="$R_DIR/mnesia"
  export RABBITMQ_LOG_BASE="$R_DIR/log"
  export RABBITMQ_PID_FILE="$R_DIR/beam.pid"
  export RABBITMQ_CONF_ENV_FILE=/dev/null
  export ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$EPMD_PORT"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

# The Erlang VM's pid: from the pid file RabbitMQ writes while booting, or
# else the launcher's child.
rabbitmq_beam_pid() {
  local pid
  pid=$(read_pid "$R_DIR/beam.pid")
  if ! pid_alive "$pid"; then
    local wrapper
    wrapper=$(read_pid "$R_DIR/wrapper.pid")
    pid=""
    pid_alive "$wrapper" && pid=$(ps -o pid= --ppid "$wrapper" | head -n1 | tr -d ' ')
  fi
  echo "$pid"
}

rabbitmq_start() {
  [ -x "$RABBITMQ_BIN/rabbitmq-server" ] || die "RabbitMQ is not installed ($RABBITMQ_BIN)"
  rabbitmq_vars
  local c
  c=$(cert_dir)
  ! pid_alive "$(read_pid "$R_DIR/wrapper.pid")" || die "RabbitMQ $R_NODE is already running"
  require_free_ports "$R_STOMP" "$R_STOMPS" "$R_DIST"
  ensure_epmd
  mkdir -p "$R_DIR/mnesia" "$R_DIR/log"
  rm -f "$R_DIR/beam.pid"
  # rabbitmq.conf: no variable expansion, comments on their own lines only.
  cat > "$R_DIR/rabbitmq.conf" <<EOF
listeners.tcp = none
loopback_users = none
stomp.listeners.tcp.1 = 127.0.0.1:$R_STOMP
stomp.listeners.ssl.1 = 127.0.0.1:$R_STOMPS
ssl_options.cacertfile = $c/ca.pem
ssl_options.certfile = $c/$TLS_SERVER_CERT.pem
ssl_options.keyfile = $c/$TLS_SERVER_CERT.key
EOF
  if [ "${TLS_CLIENT_AUTH:-0}" = 1 ]; then
    printf 'ssl_options.verify = verify_peer\nssl_options.fail_if_no_peer_cert = true\n'
  else
    printf 'ssl_options.verify = verify_none\nssl_options.fail_if_no_peer_cert = false\n'
  fi >> "$R_DIR/rabbitmq.conf"
  echo '[rabbitmq_stomp].' > "$R_DIR/enabled_plugins"
  (
    rabbitmq_env
    cd "$R_DIR"
    exec setsid "$RABBITMQ_BIN/rabbitmq-server" \
      < /dev/null > "$R_DIR/log/stdout.log" 2>&1
  ) &
  # The launcher is a shell that forwards SIGTERM to the VM.
  echo $! > "$R_DIR/wrapper.pid"
}

rabbitmq_stop() {
  rabbitmq_vars
  local wrapper beam
  wrapper=$(read_pid "$R_DIR/wrapper.pid")
  beam=$(rabbitmq_beam_pid)
  if pid_alive "$wrapper"; then
    kill -TERM "$wrapper" 2>/dev/null || true
  elif pid_alive "$beam"; then
    kill -TERM "$beam" 2>/dev/null || true
  fi
  if pid_alive "$beam"; then
    wait_gone "$beam" 30 || true
  fi
  if pid_alive "$wrapper"; then
    wait_gone "$wrapper" 10 || true
  fi
  rm -f "$R_DIR/wrapper.pid" "$R_DIR/beam.pid"
}

# wait_ports_closed SECONDS PORT...: the sockets of a killed broker close
# only when its last thread is gone, which can be after its main thread
# already shows as a zombie; a restart in between finds the port taken.
wait_ports_closed() {
  local end=$(( SECONDS + $1 )) p
  shift
  for p in "$@"; do
    while port_open "$p"; do
      [ $SECONDS -lt $end ] || die "127.0.0.1:$p still accepts connections after the broker was stopped"
      sleep 0.1
    done
  done
}

rabbitmq_kill() {
  rabbitmq_vars
  local beam wrapper
  beam=$(rabbitmq_beam_pid)
  pid_alive "$beam" || die "RabbitMQ $R_NODE is not running"
  kill -KILL "$beam"
  wait_gone "$beam" 5 || true
  wait_ports_closed 10 "$R_STOMP" "$R_STOMPS"
  # The launcher exits once its child is gone.
  wrapper=$(read_pid "$R_DIR/wrapper.pid")
  if pid_alive "$wrapper"; then
    wait_gone "$wrapper" 5 || true
  fi
  rm -f "$R_DIR/wrapper.pid" "$R_DIR/beam.pid"
}

# RabbitMQ 3.10 keeps queue declarations in Mnesia, whose log reaches the
# disk up to about 2 s after the declaration. A kill -9 within that window
# loses the queue on restart, and with it the persistent messages that it
# had already confirmed (RECEIPT sent): seen in about 1 run in 15 of a
# kill right after the first SEND to a new queue, never once the log was
# synced. Tests that kill the broker to prove the *client* loses nothing
# sync first, so that this broker-side window does not count against it.
rabbitmq_sync() {
  rabbitmq_vars
  rabbitmq_env
  "$RABBITMQ_BIN/rabbitmqctl" -n "$R_NODE" eval 'ok = mnesia:sync_log().' >/dev/null
}

rabbitmq_ctl() {
  rabbitmq_vars
  rabbitmq_env
  exec "$RABBITMQ_BIN/rabbitmqctl" -n "$R_NODE" "$@"
}

# --- ActiveMQ ---------------------------------------------------------------

activemq_vars() {
  A_STOMP=${ACTIVEMQ_STOMP_PORT:-61623}
  A_STOMPS=${ACTIVEMQ_STOMPS_PORT:-61624}
  A_OPENWIRE=${ACTIVEMQ_OPENWIRE_PORT:-$(( A_STOMP + 3 ))}
  A_DIR="$B/activemq-$A_STOMP"
}

activemq_start() {
  [ -f "$ACTIVEMQ_JAR" ] || die "ActiveMQ is not installed ($ACTIVEMQ_JAR)"
  command -v java >/dev/null || die "java not found"
  activemq_vars
  local c auth=""
  c=$(cert_dir)
  local client_auth=false
  [ "${TLS_CLIENT_AUTH:-0}" = 1 ] && client_auth=true
  ! pid_alive "$(read_pid "$A_DIR/activemq.pid")" || die "ActiveMQ on $A_STOMP is already running"
  require_free_ports "$A_STOMP" "$A_STOMPS" "$A_OPENWIRE"
  mkdir -p "$A_DIR/conf" "$A_DIR/data" "$A_DIR/tmp"
  if [ "${ACTIVEMQ_AUTH:-0}" = 1 ]; then
    auth='<plugins><simpleAuthenticationPlugin anonymousAccessAllowed="false"><users>
      <authenticationUser username="guest" password="guest" groups="users,admins"/>
    </users></simpleAuthenticationPlugin></plugins>'
  fi
  # ${activemq.data} is left for Spring to expand from -Dactivemq.data.
  cat > "$A_DIR/conf/activemq.xml" <<EOF
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
         http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <bean class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer"/>
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="stompest$A_STOMP"
          useJmx="false" schedulerSupport="false" dataDirectory="\${activemq.data}">
    $auth
    <persistenceAdapter><kahaDB directory="\${activemq.data}/kahadb"/></persistenceAdapter>
    <systemUsage><systemUsage>
      <memoryUsage><memoryUsage percentOfJvmHeap="70"/></memoryUsage>
      <storeUsage><storeUsage limit="1 gb"/></storeUsage>
      <tempUsage><tempUsage limit="512 mb"/></tempUsage>
    </systemUsage></systemUsage>
    <sslContext>
      <sslContext keyStore="file:$c/$TLS_SERVER_CERT.p12" keyStorePassword="password" keyStoreType="PKCS12"
                  trustStore="file:$c/truststore.p12" trustStorePassword="password" trustStoreType="PKCS12"/>
    </sslContext>
    <transportConnectors>
      <transportConnector name="openwire" uri="tcp://127.0.0.1:$A_OPENWIRE"/>
      <transportConnector name="stomp" uri="stomp://127.0.0.1:$A_STOMP"/>
      <transportConnector name="stomp+ssl" uri="stomp+ssl://127.0.0.1:$A_STOMPS?needClientAuth=$client_auth"/>
    </transportConnectors>
  </broker>
</beans>
EOF
  # Debian's ActiveMQ logs with log4j 1.2, which reads log4j.properties from
  # the class path (the conf directory).
  cat > "$A_DIR/conf/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, file
log4j.logger.org.springframework=WARN
log4j.logger.org.apache.xbean=WARN
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.file=${activemq.data}/activemq.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=%d | %-5p | %m | %c | %t%n
EOF
  (
    clean_env
    cd "$A_DIR"
    exec setsid java -Xms64m -Xmx256m -XX:+UseSerialGC \
      -Djava.io.tmpdir="$A_DIR/tmp" -Dactivemq.classpath="$A_DIR/conf" \
      -Dactivemq.home=/usr/share/activemq -Dactivemq.base="$A_DIR" \
      -Dactivemq.conf="$A_DIR/conf" -Dactivemq.data="$A_DIR/data" \
      -jar "$ACTIVEMQ_JAR" start "xbean:file:$A_DIR/conf/activemq.xml" \
      < /dev/null > "$A_DIR/stdout.log" 2>&1
  ) &
  echo $! > "$A_DIR/activemq.pid"
}

activemq_signal() {
  activemq_vars
  local pid
  pid=$(read_pid "$A_DIR/activemq.pid")
  if pid_alive "$pid"; then
    kill "-$1" "$pid" 2>/dev/null || true
    wait_gone "$pid" 30 || true
    wait_ports_closed 10 "$A_STOMP" "$A_STOMPS"
  elif [ "$1" = KILL ]; then
    die "ActiveMQ on $A_STOMP is not running"
  fi
  rm -f "$A_DIR/activemq.pid"
}

# --- everything -------------------------------------------------------------

# All instances shut down in parallel; epmd goes last, once no node needs it.
stop_all() {
  local d
  for d in "$B"/rabbitmq-*/; do
    [ -d "$d" ] || continue
    d=$(basename "$d")
    RABBITMQ_STOMP_PORT=${d#rabbitmq-} rabbitmq_stop &
  done
  for d in "$B"/activemq-*/; do
    [ -d "$d" ] || continue
    d=$(basename "$d")
    ACTIVEMQ_STOMP_PORT=${d#activemq-} activemq_signal TERM &
  done
  wait
  stop_epmd
}

show_log() {
  local lines=${2:-40} f
  case ${1:-} in
    rabbitmq) rabbitmq_vars; set -- "$R_DIR/log/stdout.log" "$R_DIR"/log/*.log ;;
    activemq) activemq_vars; set -- "$A_DIR/stdout.log" "$A_DIR/data/activemq.log" ;;
    *) die "log: rabbitmq or activemq" ;;
  esac
  for f in "$@"; do
    [ -s "$f" ] || continue
    echo "==> $f <=="
    tail -n "$lines" "$f"
  done
}

# wait_ports TIMEOUT PIDFILE|"" PORT...: gives up early once the process in
# PIDFILE is gone.
wait_ports() {
  local timeout=${1:?wait TIMEOUT PORT...} pidfile=$2 p
  shift 2
  local end=$(( SECONDS + timeout ))
  for p in "$@"; do
    until port_open "$p"; do
      if [ -n "$pidfile" ] && ! pid_alive "$(read_pid "$pidfile")"; then
        die "the broker exited before 127.0.0.1:$p accepted connections"
      fi
      [ $SECONDS -lt $end ] || die "127.0.0.1:$p not accepting connections after $timeout s"
      sleep 0.2
    done
  done
}

cmd=${1:-}
[ $# -gt 0 ] && shift
EPMD_PORT=${EPMD_PORT:-4379}
TLS_SERVER_CERT=${TLS_SERVER_CERT:-server}

case $cmd in
  certs) make_certs "$@" ;;
  wait) wait_ports "${1:-}" "" "${@:2}" ;;
  rabbitmq-start) B=$(broker_dir); rabbitmq_start ;;
  rabbitmq-stop) B=$(broker_dir); rabbitmq_stop ;;
  rabbitmq-kill) B=$(broker_dir); rabbitmq_kill ;;
  rabbitmq-wait)
    B=$(broker_dir); rabbitmq_vars
    wait_ports "${1:-60}" "$R_DIR/wrapper.pid" "$R_STOMP" "$R_STOMPS" ;;
  rabbitmq-sync) B=$(broker_dir); rabbitmq_sync ;;
  rabbitmqctl) B=$(broker_dir); rabbitmq_ctl "$@" ;;
  activemq-start) B=$(broker_dir); activemq_start ;;
  activemq-stop) B=$(broker_dir); activemq_signal TERM ;;
  activemq-kill) B=$(broker_dir); activemq_signal KILL ;;
  activemq-sync) ;;
  activemq-wait)
    B=$(broker_dir); activemq_vars
    wait_ports "${1:-60}" "$A_DIR/activemq.pid" "$A_STOMP" "$A_STOMPS" ;;
  log) B=$(broker_dir); show_log "$@" ;;
  stop-all) B=$(broker_dir); stop_all ;;
  *) awk 'NR > 2 && !/^#/ { exit } NR > 2 { sub(/^# ?/, ""); print }' "$0" >&2; exit 2 ;;
esac
