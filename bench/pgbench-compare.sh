#!/usr/bin/env bash
# pgbench-compare.sh - end-to-end throughput of GatewayCore against direct PostgreSQL, PgBouncer
# and HAProxy, measured with pgbench on 127.0.0.1.
#
# Builds the gateway from this repository (dotnet publish src/Gateway.Host -c Release), starts a
# throwaway PostgreSQL, PgBouncer (session pool), HAProxy (mode tcp) and the gateway under a
# mktemp directory, loads a pgbench dataset plus a "wide rows" table (PII-like text columns), runs
# every workload against every contender INTERLEAVED (contender order rotated per cell and
# repetition) and prints Markdown tables: median TPS, median of the per-repetition TPS ratios to
# "direct" with min-max, failed transactions, CPU per transaction of the proxy process, the
# geometric mean of the ratios over the main cells and the gateway/pgbouncer acceptance ratio,
# then the idle-session memory of the gateway and of PgBouncer.  Everything it starts is stopped by
# PID on exit.  Installs missing packages (postgresql, pgbouncer, haproxy, iproute2) with apt when
# run as root; needs the .NET SDK on PATH.
#
# Usage (from anywhere; the repository root is found from the script's location):
#   bench/pgbench-compare.sh                     # default run (~11-12 min on 2 cores)
#   QUICK=1 bench/pgbench-compare.sh             # smoke run (~3 min): c=8 only, 3 reps x 2 s
#   REPS=5 DURATION=10 bench/pgbench-compare.sh  # for acceptance decisions (~35-40 min)
#   RESULTS_DIR=out bench/pgbench-compare.sh     # also copy raw TSV, summary and logs to out/
#   SERVE=1 bench/pgbench-compare.sh             # start the stack only, print how to connect, wait
#
# Knobs (environment):
#   REPS (3), DURATION (5 s; QUICK 2), CLIENTS ("1 8 32"; QUICK "8") for select-*,
#   WIDE_CLIENTS ("1 8"; QUICK "8"), CHURN_CLIENTS ("8"),
#   WORKLOADS ("select-simple select-prepared wide churn"; "none" runs only the idle-session test),
#   PEERS ("direct pgbouncer haproxy gateway gateway-masked gateway-recorded"; direct must come first, it
#   is the ratio baseline; gateway is the relay with session recording off; gateway-masked is the same
#   process through a second target that masks the wide table's email, phone and card_number columns and
#   runs every content detector; gateway-recorded is a second gateway process with session recording on,
#   as the reference host runs by default),
#   CONNTEST=0/1 (1), CONN_N (500; QUICK 200) idle sessions opened through the gateway and
#   PgBouncer before the throughput matrix, CONN_ROUNDS (2) batches of them one after the other,
#   CONN_TARGETS ("gateway:$CONN_N pgbouncer:$CONN_N"),
#   GATEWAY_WARMUP (5 s; QUICK 3) of extra load on the gateway before the matrix (JIT tiering),
#   MIN_RATIO (0.9) and STRICT=1 (exit 3 when gateway/pgbouncer geomean < MIN_RATIO),
#   GATEWAY_PUBLISHED=<dir> (use an existing publish output instead of building),
#   GATEWAY_GCGEN0SIZE (0x400000: the gateway runs with DOTNET_GCgen0size set to it, as
#   docs/configuration.md recommends for the reference host; empty = the runtime's default),
#   RESULTS_DIR (copy results there), KEEP=1 (keep the temp dir), SCALE (10), PG_VERSION
#   (highest installed, else the distribution's default), PG_PORT / BOUNCER_PORT / HAPROXY_PORT /
#   GATEWAY_PORT (default: first free port from 55440 / 56440 / 57440 / 58440).
#
# Column meanings are described in docs/benchmarks.md.
set -Eeuo pipefail
exec </dev/null

ORIG_ARGS=("$@")
START_DIR=$PWD
CMD_ENV=""  # the knobs given on the command line / environment, to print the exact command
for v in QUICK REPS DURATION CLIENTS WIDE_CLIENTS CHURN_CLIENTS WORKLOADS PEERS CONNTEST CONN_N CONN_ROUNDS CONN_TARGETS \
  GATEWAY_WARMUP MIN_RATIO STRICT GATEWAY_PUBLISHED RESULTS_DIR KEEP SCALE PG_VERSION PG_PORT BOUNCER_PORT \
  HAPROXY_PORT GATEWAY_PORT GATEWAY_GCGEN0SIZE SERVE; do
  [[ -n ${!v+x} ]] && CMD_ENV+="$v=$(printf '%q' "${!v}") "
done

# ----------------------------------------------------------------- config ---
QUICK=${QUICK:-0}
if [[ $QUICK == 1 ]]; then
  : "${REPS:=3}" "${DURATION:=2}" "${CLIENTS:=8}" "${WIDE_CLIENTS:=8}" "${CHURN_CLIENTS:=8}"
  : "${CONN_N:=200}" "${GATEWAY_WARMUP:=3}"
else
  : "${REPS:=3}" "${DURATION:=5}" "${CLIENTS:=1 8 32}" "${WIDE_CLIENTS:=1 8}" "${CHURN_CLIENTS:=8}"
  : "${CONN_N:=500}" "${GATEWAY_WARMUP:=5}"
fi
: "${CONNTEST:=1}" "${CONN_ROUNDS:=2}" "${CONN_TARGETS:=gateway:$CONN_N pgbouncer:$CONN_N}"
: "${SCALE:=10}" "${PEERS:=direct pgbouncer haproxy gateway gateway-masked gateway-recorded}"
: "${WORKLOADS:=select-simple select-prepared wide churn}"
: "${MIN_RATIO:=0.9}" "${STRICT:=0}" "${SERVE:=0}" "${KEEP:=0}" "${RESULTS_DIR:=}" "${GATEWAY_PUBLISHED:=}"
GATEWAY_GCGEN0SIZE=${GATEWAY_GCGEN0SIZE-0x400000}  # empty = the runtime's default gen0 budget
: "${WIDE_ROWS:=1000}" "${WIDE_TABLE_ROWS:=100000}"
BENCH_USER=bench BENCH_PASS=bench BENCH_DB=bench
HOST=127.0.0.1
NPROC=$(nproc)
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

log() { printf '[pgbench-compare %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for a in "$@"; do
  case $a in
    -h | --help) sed -n '2,/^set -Eeuo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$a' (all settings are environment variables; see --help)" ;;
  esac
done
[[ " $PEERS " == " direct "* ]] || die "PEERS must start with 'direct' (it is the ratio baseline)"
for p in $PEERS; do case $p in direct | pgbouncer | haproxy | gateway | gateway-masked | gateway-recorded) ;; *) die "unknown peer '$p'" ;; esac; done
want() { [[ " $PEERS " == *" $1 "* ]]; }
want_gateway() { want gateway || want gateway-masked || want gateway-recorded; }
[[ $REPS =~ ^[1-9][0-9]*$ && $DURATION =~ ^[1-9][0-9]*$ ]] || die "REPS and DURATION must be positive integers"

# ------------------------------------------------------------- packages ---
pick_pg_version() {
  local v
  [[ -n ${PG_VERSION:-} ]] && { echo "$PG_VERSION"; return; }
  for v in $(ls /usr/lib/postgresql 2>/dev/null | sort -rn); do
    [[ -x /usr/lib/postgresql/$v/bin/pg_ctl && -x /usr/lib/postgresql/$v/bin/pgbench ]] && { echo "$v"; return; }
  done
}
ensure_packages() {
  local need=() v
  v=$(pick_pg_version)
  if [[ -z $v ]]; then need+=(postgresql postgresql-client)
  elif [[ ! -x /usr/lib/postgresql/$v/bin/pg_ctl || ! -x /usr/lib/postgresql/$v/bin/pgbench ]]; then need+=("postgresql-$v"); fi
  want pgbouncer && ! command -v pgbouncer >/dev/null && need+=(pgbouncer)
  want haproxy && ! command -v haproxy >/dev/null && need+=(haproxy)
  command -v ss >/dev/null || need+=(iproute2)
  command -v setpriv >/dev/null || need+=(util-linux)
  ((${#need[@]})) || return 0
  [[ $(id -u) == 0 ]] || die "missing packages: ${need[*]} (run as root or install them)"
  command -v apt-get >/dev/null || die "missing packages: ${need[*]} and no apt-get"
  log "installing: ${need[*]} (services are prevented from auto-starting)"
  local made_policy=0 p
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q -y)
  for p in "${need[@]}"; do  # package lists may be empty (fresh CI image): update once if needed
    apt-cache show "$p" >/dev/null 2>&1 || { "${apt[@]}" update >&2 || true; break; }
  done
  "${apt[@]}" install --no-install-recommends "${need[@]}" >&2 || {
    ((made_policy)) && rm -f /usr/sbin/policy-rc.d; die "apt-get install failed"; }
  ((made_policy)) && rm -f /usr/sbin/policy-rc.d
  return 0
}
ensure_packages
PG_VERSION=$(pick_pg_version)
[[ -n $PG_VERSION ]] || die "no PostgreSQL server with pgbench found under /usr/lib/postgresql"
PGBIN=/usr/lib/postgresql/$PG_VERSION/bin
PGBENCH=$PGBIN/pgbench
PSQL=$PGBIN/psql
[[ -x $PSQL ]] || PSQL=$(command -v psql)
if want_gateway; then
  if [[ -z $GATEWAY_PUBLISHED ]]; then
    command -v dotnet >/dev/null || die "dotnet (the .NET SDK) is not on PATH"
    [[ -d $ROOT/src/Gateway.Host ]] || die "$ROOT/src/Gateway.Host not found (the script must stay in bench/ of the repository)"
  fi
fi

# ------------------------------------------------------ process handling ---
if [[ $(id -u) == 0 ]]; then
  id postgres >/dev/null 2>&1 || die "user 'postgres' missing"
  # setpriv (not runuser/su): no PAM session, so the raised fd limit is inherited
  as_pg() { HOME=/var/lib/postgresql setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
else
  as_pg() { "$@"; }
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

T=$(mktemp -d "${TMPDIR:-/tmp}/pgbench-compare.XXXXXX")
chmod 700 "$T"
[[ $(id -u) == 0 ]] && chown postgres: "$T"
cd "$T"

declare -A DAEMON_PID=()   # name -> pid (things we started)
BG_PIDS=()                 # transient helpers (idle pgbench clients, SERVE sleeper)

pid_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }
wait_gone() { local p=$1 i; for ((i = 0; i < ${2:-150}; i++)); do pid_alive "$p" || return 0; sleep 0.2; done; return 1; }
stop_pid() {  # stop_pid NAME PID [SIGNAL]
  local n=$1 p=$2 sig=${3:-TERM}
  pid_alive "$p" || return 0
  kill "-$sig" "$p" 2>/dev/null || true
  wait_gone "$p" 100 || { log "$n (pid $p) did not stop within 20 s, SIGKILL"; kill -KILL "$p" 2>/dev/null || true; wait_gone "$p" 50 || true; }
}
cleanup() {
  local rc=$? p n f
  trap - EXIT INT TERM
  set +e
  for p in "${BG_PIDS[@]}"; do stop_pid helper "$p" TERM; done
  # pid files as a fallback if we died between starting a daemon and recording its pid
  [[ -z ${DAEMON_PID[pgbouncer]:-} && -s $T/pgbouncer.pid ]] && DAEMON_PID[pgbouncer]=$(cat "$T/pgbouncer.pid")
  [[ -z ${DAEMON_PID[haproxy]:-} && -s $T/haproxy.pid ]] && DAEMON_PID[haproxy]=$(head -1 "$T/haproxy.pid")
  [[ -z ${DAEMON_PID[postgres]:-} && -s $T/pgdata/postmaster.pid ]] && DAEMON_PID[postgres]=$(head -1 "$T/pgdata/postmaster.pid")
  for n in gateway gateway-recorded haproxy pgbouncer; do [[ -n ${DAEMON_PID[$n]:-} ]] && stop_pid "$n" "${DAEMON_PID[$n]}" TERM; done
  # postgres: SIGINT = fast shutdown
  [[ -n ${DAEMON_PID[postgres]:-} ]] && stop_pid postgres "${DAEMON_PID[postgres]}" INT
  if ((rc != 0 && rc != 130 && rc != 3)) && [[ -d $T ]]; then
    for f in "$T"/postgres.log "$T"/pgbouncer.log "$T"/haproxy.log "$T"/gateway.log "$T"/publish.log; do
      [[ -s $f ]] && { log "--- tail of ${f#"$T"/} ---"; tail -n 15 "$f" >&2; }
    done
  fi
  if [[ -n $RESULTS_DIR && -d $T ]]; then
    mkdir -p "$RESULTS_DIR" && for f in results.tsv gateway.log pgbouncer.log postgres.log pgbench.log; do
      [[ -s $T/$f ]] && cp "$T/$f" "$RESULTS_DIR/"
    done
  fi
  cd /
  if [[ $KEEP == 1 ]]; then log "kept $T"; else rm -rf "$T"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM
[[ -n $RESULTS_DIR ]] && RESULTS_DIR=$(mkdir -p "$RESULTS_DIR" && cd "$RESULTS_DIR" && pwd)

port_busy() { ss -ltnH "( sport = :$1 )" 2>/dev/null | grep -q .; }
pick_port() {  # VAR BASE: an explicit VAR must be free; otherwise the first free port from BASE
  local var=$1 base=$2 p
  if [[ -n ${!var:-} ]]; then port_busy "${!var}" && die "$var=${!var} is already in use"; return 0; fi
  for ((p = base; p < base + 100; p++)); do
    port_busy "$p" || [[ " $TAKEN " == *" $p "* ]] || { printf -v "$var" '%s' "$p"; TAKEN+=" $p"; return 0; }
  done
  die "no free port in $base-$((base + 99)) for $var"
}
TAKEN=""
pick_port PG_PORT 55440
want pgbouncer && pick_port BOUNCER_PORT 56440
want haproxy && pick_port HAPROXY_PORT 57440
want_gateway && pick_port GATEWAY_PORT 58440
want_gateway && pick_port GATEWAY_CONTROL_PORT $((GATEWAY_PORT + 1))
want gateway-recorded && pick_port GATEWAY_REC_PORT $((GATEWAY_PORT + 2))
want gateway-recorded && pick_port GATEWAY_REC_CONTROL_PORT $((GATEWAY_PORT + 3))

# ------------------------------------------------------------- postgres ---
MAX_CONN=300
if [[ $CONNTEST == 1 ]]; then
  for ct in $CONN_TARGETS; do ((${ct##*:} + 100 > MAX_CONN)) && MAX_CONN=$((${ct##*:} + 100)); done
fi
start_postgres() {
  log "initdb + start postgres $PG_VERSION on $HOST:$PG_PORT (scram-sha-256, max_connections $MAX_CONN)"
  mkdir -p "$T/sock"; [[ $(id -u) == 0 ]] && chown postgres: "$T/sock"
  as_pg "$PGBIN/initdb" -D "$T/pgdata" -U postgres -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$T/initdb.log" 2>&1 || { cat "$T/initdb.log" >&2; die initdb; }
  cat >>"$T/pgdata/postgresql.conf" <<EOF
# --- pgbench-compare ---
listen_addresses = '$HOST'
port = $PG_PORT
unix_socket_directories = '$T/sock'
max_connections = $MAX_CONN
shared_buffers = 512MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 4GB
checkpoint_timeout = 30min
autovacuum = off
jit = off
password_encryption = scram-sha-256
logging_collector = off
log_min_messages = warning
EOF
  as_pg "$PGBIN/pg_ctl" -D "$T/pgdata" -l "$T/postgres.log" -w -t 60 start >/dev/null \
    || { cat "$T/postgres.log" >&2; die "postgres start"; }
  DAEMON_PID[postgres]=$(head -1 "$T/pgdata/postmaster.pid")
}
admin_sql() { as_pg "$PSQL" -h "$T/sock" -p "$PG_PORT" -U postgres -X -q -At -v ON_ERROR_STOP=1 "$@"; }

load_data() {
  admin_sql -d postgres -c "CREATE ROLE $BENCH_USER LOGIN PASSWORD '$BENCH_PASS'" \
    -c "CREATE DATABASE $BENCH_DB OWNER $BENCH_USER"
  log "pgbench -i -s $SCALE (server-side generate)"
  as_pg "$PGBENCH" -i -s "$SCALE" -I dtGvp -q -h "$T/sock" -p "$PG_PORT" -U "$BENCH_USER" "$BENCH_DB" \
    >"$T/init.log" 2>&1 || { cat "$T/init.log" >&2; die "pgbench -i"; }
  log "creating wide_rows ($WIDE_TABLE_ROWS rows, PII-like text columns)"
  as_pg "$PSQL" -h "$T/sock" -p "$PG_PORT" -U "$BENCH_USER" -d "$BENCH_DB" -X -q -v ON_ERROR_STOP=1 <<EOF
CREATE TABLE wide_rows (
  id          int PRIMARY KEY,
  email       text NOT NULL,
  full_name   text NOT NULL,
  phone       text NOT NULL,
  card_number text NOT NULL,
  street      text NOT NULL,
  note        text NOT NULL
);
INSERT INTO wide_rows
SELECT g,
       substr(md5('f'||g), 1, 6) || '.' || substr(md5('l'||g), 1, 9) || '@'
         || (ARRAY['example.com','mail.example.org','corp.example.net','inbox.test'])[1 + g % 4],
       initcap(substr(md5('a'||g), 1, 7)) || ' ' || initcap(substr(md5('b'||g), 1, 10)),
       '+1-' || lpad(((g * 7919) % 1000)::text, 3, '0') || '-555-' || lpad((g % 10000)::text, 4, '0'),
       '4' || lpad(((g::bigint * 2654435761) % 1000000000000000)::text, 15, '0'),
       ((g * 31) % 9999 + 1)::text || ' ' || initcap(substr(md5('s'||g), 1, 8)) || ' Street, Springfield',
       md5('n'||g) || ' ' || md5('m'||g)
FROM generate_series(1, $WIDE_TABLE_ROWS) g;
VACUUM ANALYZE wide_rows;
EOF
  admin_sql -d "$BENCH_DB" -c "CREATE EXTENSION IF NOT EXISTS pg_prewarm" \
    -c "SELECT pg_prewarm(c) FROM unnest(ARRAY['pgbench_accounts','pgbench_accounts_pkey','wide_rows','wide_rows_pkey']::regclass[]) c" >/dev/null
  # DataRow wire bytes per transaction of the wide workload: 'D' + int32 len + int16 ncols + per column int32 len + text
  WIDE_BYTES=$(admin_sql -d "$BENCH_DB" -c "SELECT round(avg(7 + 7*4 + octet_length(id::text) + octet_length(email)
      + octet_length(full_name) + octet_length(phone) + octet_length(card_number) + octet_length(street)
      + octet_length(note)) * $WIDE_ROWS) FROM wide_rows")
  cat >"$T/wide.sql" <<EOF
\\set lo random(1, $((WIDE_TABLE_ROWS - WIDE_ROWS + 1)))
SELECT id, email, full_name, phone, card_number, street, note FROM wide_rows WHERE id BETWEEN :lo AND :lo + $((WIDE_ROWS - 1));
EOF
  printf '\\sleep 60 s\n' >"$T/idle.sql"
  chmod 644 "$T"/*.sql
}

# ---------------------------------------------------------------- peers ---
start_pgbouncer() {
  log "start pgbouncer (session pool) on $HOST:$BOUNCER_PORT"
  # Like a production userlist generated from pg_authid: the stored SCRAM secret, not the plaintext
  # (with plaintext pgbouncer re-derives PBKDF2 on every client login).
  local secret
  secret=$(admin_sql -d postgres -c "SELECT rolpassword FROM pg_authid WHERE rolname = '$BENCH_USER'")
  printf '"%s" "%s"\n' "$BENCH_USER" "$secret" >"$T/userlist.txt"
  cat >"$T/pgbouncer.ini" <<EOF
[databases]
$BENCH_DB = host=$HOST port=$PG_PORT dbname=$BENCH_DB

[pgbouncer]
listen_addr = $HOST
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $T/userlist.txt
pool_mode = session
max_client_conn = 5000
default_pool_size = 64
ignore_startup_parameters = extra_float_digits
logfile = $T/pgbouncer.log
pidfile = $T/pgbouncer.pid
log_connections = 0
log_disconnections = 0
EOF
  [[ $(id -u) == 0 ]] && chown postgres: "$T/userlist.txt" "$T/pgbouncer.ini" && chmod 600 "$T/userlist.txt"
  as_pg "$(command -v pgbouncer)" -d "$T/pgbouncer.ini" >"$T/pgbouncer.stderr" 2>&1 || { cat "$T/pgbouncer.stderr" >&2; die pgbouncer; }
  local i; for ((i = 0; i < 50; i++)); do [[ -s $T/pgbouncer.pid ]] && break; sleep 0.1; done
  [[ -s $T/pgbouncer.pid ]] || { cat "$T/pgbouncer.stderr" "$T/pgbouncer.log" >&2 2>/dev/null; die "pgbouncer did not start"; }
  DAEMON_PID[pgbouncer]=$(cat "$T/pgbouncer.pid")
}
start_haproxy() {
  log "start haproxy (mode tcp) on $HOST:$HAPROXY_PORT"
  cat >"$T/haproxy.cfg" <<EOF
global
  maxconn $(( ($(ulimit -n) - 100) / 2 > 10000 ? 10000 : ($(ulimit -n) - 100) / 2 ))
defaults
  mode tcp
  timeout connect 5s
  timeout client 1h
  timeout server 1h
listen pg
  bind $HOST:$HAPROXY_PORT
  server pg1 $HOST:$PG_PORT
EOF
  as_pg "$(command -v haproxy)" -q -D -p "$T/haproxy.pid" -f "$T/haproxy.cfg" >"$T/haproxy.log" 2>&1 || { cat "$T/haproxy.log" >&2; die haproxy; }
  local i; for ((i = 0; i < 50; i++)); do [[ -s $T/haproxy.pid ]] && break; sleep 0.1; done
  [[ -s $T/haproxy.pid ]] || { cat "$T/haproxy.log" >&2; die "haproxy did not start"; }
  DAEMON_PID[haproxy]=$(head -1 "$T/haproxy.pid")
}

# -------------------------------------------------------------- gateway ---
GW_DIR="" GW_COMMIT="" GW_START_S="" GW_RSS_START="" GW_FIRST_LOGIN_S=""
build_gateway() {
  if [[ -n $GATEWAY_PUBLISHED ]]; then
    GW_DIR=$(cd "$GATEWAY_PUBLISHED" && pwd)
    [[ -f $GW_DIR/gateway.dll ]] || die "GATEWAY_PUBLISHED=$GATEWAY_PUBLISHED has no gateway.dll"
    GW_COMMIT="prebuilt ($GW_DIR)"
    return 0
  fi
  GW_COMMIT=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)
  if [[ $GW_COMMIT != unknown ]] && ! git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null; then
    GW_COMMIT+=" + uncommitted changes under src/"
  fi
  GW_DIR=$T/gateway
  log "dotnet publish src/Gateway.Host -c Release (commit ${GW_COMMIT:0:12})"
  local t0=$SECONDS
  (cd "$ROOT" && DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
    dotnet publish src/Gateway.Host -c Release -o "$GW_DIR" -nologo) >"$T/publish.log" 2>&1 \
    || { tail -n 30 "$T/publish.log" >&2; die "dotnet publish failed"; }
  [[ -f $GW_DIR/gateway.dll ]] || die "publish produced no gateway.dll"
  log "  built in $((SECONDS - t0)) s"
}
write_gateway_config() {  # FILE PORT CONTROL_PORT STATE_DIR RECORDING(true|false) API_HASH
  cat >"$1" <<EOF
{
  "listeners": [{ "address": "$HOST:$2" }],
  "control": { "address": "$HOST:$3" },
  "store": { "path": "$4/gateway.db" },
  "audit": { "directory": "$4/audit", "recordings": { "enabled": $5, "directory": "$4/recordings" } },
  "targets": [{ "name": "$BENCH_DB", "host": "$HOST", "port": $PG_PORT, "database": "$BENCH_DB",
                "scopes": { "read": { "access": "read", "user": "$BENCH_USER", "password": { "env": "BENCH_UPSTREAM_PASSWORD" } } } },
              { "name": "${BENCH_DB}_masked", "host": "$HOST", "port": $PG_PORT, "database": "$BENCH_DB",
                "scopes": { "read": { "access": "read", "user": "$BENCH_USER", "password": { "env": "BENCH_UPSTREAM_PASSWORD" } } },
                "masking": { "columns": [ { "column": "public.wide_rows.email" },
                                          { "column": "public.wide_rows.phone", "style": "partial", "keepLast": 4 },
                                          { "column": "public.wide_rows.card_number" } ],
                             "detectors": [ "all" ], "tokenKey": { "env": "BENCH_TOKEN_KEY" } } }],
  "identities": [{ "name": "bench-agent", "kind": "agent", "apiKeyHash": "$6" }],
  "policies": [{ "name": "bench", "agents": ["bench-agent"], "targets": ["$BENCH_DB", "${BENCH_DB}_masked"], "scopes": ["read"], "maxDuration": "24h" }]
}
EOF
}
launch_gateway() {  # NAME CONFIG PORT CONTROL_PORT : starts one gateway process and waits until it listens
  local t0 i pid
  log "start $1 on $HOST:$3 (control API on $4)"
  t0=$(date +%s.%N)
  local -a gc_env=()
  [[ -n $GATEWAY_GCGEN0SIZE ]] && gc_env=("DOTNET_GCgen0size=$GATEWAY_GCGEN0SIZE")
  env "${gc_env[@]}" BENCH_UPSTREAM_PASSWORD=$BENCH_PASS BENCH_TOKEN_KEY=bench-token-key-of-at-least-32-bytes-long DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    dotnet "$GW_DIR/gateway.dll" serve --config "$2" --log-format text >"$T/$1.log" 2>&1 &
  pid=$!
  DAEMON_PID[$1]=$pid
  for ((i = 0; i < 600; i++)); do
    port_busy "$3" && port_busy "$4" && break
    pid_alive "$pid" || { cat "$T/$1.log" >&2; die "$1 exited during start-up"; }
    sleep 0.1
  done
  port_busy "$3" || die "$1 did not listen on $3 within 60 s"
  GW_START_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
  log "  $1 (pid $pid) listening after $GW_START_S s"
}
start_gateway() {
  # The gateway admits only grants: an agent identity with an API key asks the control API for read access to the
  # bench target (approved by policy), and pgbench connects with the grant's one-time credential. `gateway` and
  # `gateway-masked` share one process with session recording off (the relay and masking alone); `gateway-recorded`
  # is a second process with recording on, as the reference host runs by default.
  local keys api_key api_hash
  keys=$(dotnet "$GW_DIR/gateway.dll" apikey) || die "gateway apikey failed"
  api_key=$(awk '/^key:/{print $2}' <<<"$keys"); api_hash=$(awk '/^hash:/{print $2}' <<<"$keys")
  if want gateway || want gateway-masked; then
    mkdir -p "$T/gw"
    write_gateway_config "$T/gateway.json" "$GATEWAY_PORT" "$GATEWAY_CONTROL_PORT" "$T/gw" false "$api_hash"
    launch_gateway gateway "$T/gateway.json" "$GATEWAY_PORT" "$GATEWAY_CONTROL_PORT"
    DAEMON_PID[gateway-masked]=${DAEMON_PID[gateway]}
  fi
  if want gateway-recorded; then
    mkdir -p "$T/gw-rec"
    write_gateway_config "$T/gateway-recorded.json" "$GATEWAY_REC_PORT" "$GATEWAY_REC_CONTROL_PORT" "$T/gw-rec" true "$api_hash"
    launch_gateway gateway-recorded "$T/gateway-recorded.json" "$GATEWAY_REC_PORT" "$GATEWAY_REC_CONTROL_PORT"
  fi
  local grant target name port control
  for name in gateway gateway-masked gateway-recorded; do
    want "$name" || continue
    target=$BENCH_DB; [[ $name == gateway-masked ]] && target=${BENCH_DB}_masked
    port=$GATEWAY_PORT; control=$GATEWAY_CONTROL_PORT
    [[ $name == gateway-recorded ]] && { port=$GATEWAY_REC_PORT; control=$GATEWAY_REC_CONTROL_PORT; }
    grant=$(GATEWAY_API_KEY=$api_key dotnet "$GW_DIR/gateway.dll" grant request --url "http://$HOST:$control" \
      --target "$target" --scope read --duration 12h --task "pgbench comparison" --json) || die "grant request failed: $grant"
    GW_GRANT_USER=$(grep -oP '"user":"\K[^"]+' <<<"$grant")
    GW_GRANT_PASSWORD=$(grep -oP '"password":"\K[^"]+' <<<"$grant")
    [[ -n $GW_GRANT_USER && -n $GW_GRANT_PASSWORD ]] || die "no credential in the grant: $grant"
    C_CONN[$name]="host=$HOST port=$port user=$GW_GRANT_USER password=$GW_GRANT_PASSWORD dbname=$target sslmode=disable gssencmode=disable"
    log "  grant $GW_GRANT_USER on $target via $name active for 12h"
  done
}

# ----------------------------------------------------------- contenders ---
C_NAMES=(); declare -A C_CONN=() C_PORT=() C_PID=()
for p in $PEERS; do
  case $p in
    direct) C_PORT[$p]=$PG_PORT ;;
    pgbouncer) C_PORT[$p]=$BOUNCER_PORT ;;
    haproxy) C_PORT[$p]=$HAPROXY_PORT ;;
    gateway | gateway-masked) C_PORT[$p]=$GATEWAY_PORT ;;
    gateway-recorded) C_PORT[$p]=$GATEWAY_REC_PORT ;;
  esac
  # for the gateway, dbname names the target and user the agent
  C_CONN[$p]="host=$HOST port=${C_PORT[$p]} user=$BENCH_USER dbname=$BENCH_DB sslmode=disable gssencmode=disable"
  C_NAMES+=("$p")
done

wait_ready() {  # NAME
  local n=$1 i
  for ((i = 0; i < 120; i++)); do
    PGPASSWORD=$BENCH_PASS PGCONNECT_TIMEOUT=3 "$PSQL" -X -At -c 'select 1' "${C_CONN[$n]}" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  PGPASSWORD=$BENCH_PASS "$PSQL" -X -At -c 'select 1' "${C_CONN[$n]}" >&2 || true
  die "contender $n not reachable"
}

check_loopback_only() {
  local n p bad=0 line addr
  for n in "${!DAEMON_PID[@]}"; do
    p=${DAEMON_PID[$n]}
    while read -r line; do
      [[ -z $line ]] && continue
      addr=$(awk '{print $5}' <<<"$line")
      if [[ $addr != 127.0.0.1:* ]]; then log "NOT loopback: $n listens on $addr"; bad=1; fi
    done < <(ss -ltunpH 2>/dev/null | grep "pid=$p," || true)
  done
  ((bad == 0)) || die "a started daemon listens beyond 127.0.0.1"
  log "listen check ok: postgres, pgbouncer, haproxy and gateway bind 127.0.0.1 only"
}

# ------------------------------------------------------------- measures ---
# CPU ticks (utime+stime+cutime+cstime) summed over a live process tree: covers multi-process
# servers (postgres backends; exited children are in their parent's cutime).
tree_ticks() {
  [[ -n ${1:-} ]] || { echo ""; return 0; }
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v root="$1" '
    { p = $1; s = $0; sub(/^.*\) /, "", s); split(s, a, " "); par[p] = a[2]; t[p] = a[12] + a[13] + a[14] + a[15] }
    END { if (!(root in t)) { print ""; exit } in_[root] = 1; ch = 1
          while (ch) { ch = 0; for (p in par) if (!(p in in_) && (par[p] in in_)) { in_[p] = 1; ch = 1 } }
          s = 0; for (p in in_) s += t[p]; print s }'
}
# Wait (<= 2 s) until the postmaster's child set is stable and holds no zombie, so that exiting
# backends are either still visible or already folded into the postmaster's cutime.
pg_settle() {
  local pm=${DAEMON_PID[postgres]:-} prev="" cur i
  [[ -n $pm ]] || return 0
  for ((i = 0; i < 40; i++)); do
    cur=$({ cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$pm" '
      { s = $0; sub(/^.*\) /, "", s); split(s, a, " "); if (a[2] == pm) { n++; if (a[1] == "Z") z++ } }
      END { print n + 0, z + 0 }')
    [[ $cur == "$prev" && ${cur#* } == 0 ]] && return 0
    prev=$cur; sleep 0.05
  done
}
host_cpu() { awk '/^cpu /{b=$2+$3+$4+$7+$8; t=$2+$3+$4+$5+$6+$7+$8+$9; print b, $9, t; exit}' /proc/stat; }
CLK_TCK=$(getconf CLK_TCK)
rss_kib() { awk -v k="${2:-VmRSS}" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null; }

workload_args() {  # WORKLOAD -> pgbench args
  case $1 in
    select-simple) echo "-S -M simple" ;;
    select-prepared) echo "-S -M prepared" ;;
    wide) echo "-f $T/wide.sql -M simple" ;;
    churn) echo "-C -S -M simple" ;;
    *) die "unknown workload $1 (select-simple select-prepared wide churn)" ;;
  esac
}
workload_clients() {
  case $1 in wide) echo "$WIDE_CLIENTS" ;; churn) echo "$CHURN_CLIENTS" ;; *) echo "$CLIENTS" ;; esac
}

RAW=$T/results.tsv
printf 'rep\tworkload\tclients\tcontender\ttps\tlat_ms\ttxns\tfailed_txns\trc\tclient_cpu_us\tproxy_cpu_us\tserver_cpu_us\thost_busy_pct\tsteal_pct\n' >"$RAW"

run_one() {  # REP WORKLOAD CLIENTS NAME DURATION [record=1]
  local rep=$1 w=$2 c=$3 n=$4 dur=$5 rec=${6:-1}
  local j=$((c < NPROC ? c : NPROC)) out="$T/run.out" rc=0 ppid="" spid=${DAEMON_PID[postgres]} p0 p1 s0 s1 h0 h1
  local -a args; read -r -a args <<<"$(workload_args "$w")"
  [[ $n != direct ]] && ppid=${C_PID[$n]:-}
  pg_settle; p0=$(tree_ticks "$ppid"); s0=$(tree_ticks "$spid"); h0=$(host_cpu)
  local TIMEFORMAT='%3U %3S'
  # subshell: the 2> applies only inside it, so a trap firing afterwards still logs to stderr
  ( time PGPASSWORD=$BENCH_PASS timeout -k 5 $((dur + 60)) "$PGBENCH" -n -T "$dur" -c "$c" -j "$j" "${args[@]}" "${C_CONN[$n]}" >"$out" 2>&1 ) 2>"$T/time.out" || rc=$?
  h1=$(host_cpu); pg_settle; p1=$(tree_ticks "$ppid"); s1=$(tree_ticks "$spid")
  cat "$out" >>"$T/pgbench.log"
  ((rec)) || return 0
  local tps lat tx failed ccpu=- pcpu=- scpu=- busy steal cu cs
  tps=$(awk '/^tps = /{print $3; exit}' "$out"); lat=$(awk '/^latency average = /{print $4; exit}' "$out")
  tx=$(awk -F': ' '/^number of transactions actually processed/{split($2,a,"/"); print a[1]; exit}' "$out")
  failed=$(awk '/^number of failed transactions: /{print $5; exit}' "$out")
  [[ -n $failed ]] || failed=0
  [[ -z $tps || -z $tx ]] && { ((rc == 0)) && rc=98; tps=0; lat=0; tx=0; }
  if ((rc != 0 || failed > 0)); then
    log "  ! $n $w c=$c rc=$rc failed=$failed: $(grep -m1 -iE 'error|fatal' "$out" || tail -1 "$out")"
  fi
  if ((tx > 0)); then
    read -r cu cs < <(tail -1 "$T/time.out")
    ccpu=$(awk -v u="$cu" -v s="$cs" -v t="$tx" 'BEGIN{printf "%.1f", (u+s)*1e6/t}')
    [[ -n $p0 && -n $p1 ]] && pcpu=$(awk -v a="$p0" -v b="$p1" -v t="$tx" -v hz="$CLK_TCK" 'BEGIN{printf "%.1f", (b-a)/hz*1e6/t}')
    [[ -n $s0 && -n $s1 ]] && scpu=$(awk -v a="$s0" -v b="$s1" -v t="$tx" -v hz="$CLK_TCK" 'BEGIN{printf "%.1f", (b-a)/hz*1e6/t}')
  fi
  read -r busy steal <<<"$(awk -v a="$h0" -v b="$h1" 'BEGIN{split(a,x," "); split(b,y," "); t=y[3]-x[3]; if (t<=0) t=1; printf "%.0f %.1f", 100*(y[1]-x[1])/t, 100*(y[2]-x[2])/t}')"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$w" "$c" "$n" "$tps" "$lat" "$tx" "$failed" "$rc" "$ccpu" "$pcpu" "$scpu" "$busy" "$steal" >>"$RAW"
  printf '  rep %s %-16s c=%-3s %-10s tps=%10.1f lat=%8.3f ms failed=%s  cpu us/txn client=%s proxy=%s server=%s  busy=%s%% steal=%s%%\n' \
    "$rep" "$w" "$c" "$n" "$tps" "$lat" "$failed" "$ccpu" "$pcpu" "$scpu" "$busy" "$steal" >&2
}

conn_test() {  # NAME N ROUND : VmRSS of the contender's process with N idle authenticated clients
  local n=$1 want=$2 round=$3 pid rss0 rss1 rss2 thr est=0 i pgb t0 secs up0 up1 ok=1 out
  [[ -n ${C_PORT[$n]:-} ]] || { log "idle sessions: unknown contender $n"; return 0; }
  pid=${C_PID[$n]:-}; [[ -n $pid ]] || { log "idle sessions: no pid for $n"; return 0; }
  out=$T/idle_${n}_$round.out
  log "idle sessions: opening $want through $n (round $round)"
  up0=$(admin_sql -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename = '$BENCH_USER'")
  rss0=$(rss_kib "$pid")
  t0=$(date +%s.%N)
  : >"$out"
  # pgbench connects every client (SCRAM login) before its threads start running; with -P the first
  # progress line therefore means all sessions are authenticated.  The script only sleeps.
  PGPASSWORD=$BENCH_PASS "$PGBENCH" -n -c "$want" -j "$NPROC" -T 600 -P 1 -f "$T/idle.sql" "${C_CONN[$n]}" >"$out" 2>&1 &
  pgb=$!; BG_PIDS+=("$pgb")
  for ((i = 0; i < 1500; i++)); do
    grep -q '^progress: ' "$out" && break
    pid_alive "$pgb" || break
    sleep 0.2
  done
  grep -q '^progress: ' "$out" || ok=0
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  sleep 3
  rss1=$(rss_kib "$pid"); thr=$(rss_kib "$pid" Threads)
  est=$(ss -tnH state established "( sport = :${C_PORT[$n]} )" | wc -l)
  up1=$(admin_sql -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND usename = '$BENCH_USER'")
  stop_pid pgbench "$pgb" TERM; wait "$pgb" 2>/dev/null || true
  ((ok)) || log "  ! idle clients through $n did not all connect: $(grep -m1 -iE 'error|fatal' "$out" || tail -1 "$out")"
  sleep 3
  rss2=$(rss_kib "$pid")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$round" "$want" "$est" "$((up1 - up0))" "$secs" \
    "$rss0" "$rss1" "$rss2" "$thr" \
    "$(awk -v a="$rss0" -v b="$rss1" -v n="$est" 'BEGIN{ if (n > 0) printf "%.1f", (b-a)/n; else print "n/a" }')"
}

summarize() {  # prints the Markdown tables from $RAW
  local cells="" w c
  for w in $WORKLOADS; do for c in $(workload_clients "$w"); do cells+="$w:$c "; done; done
  awk -F'\t' -v cells="$cells" -v names="${C_NAMES[*]}" -v base=direct -v minratio="$MIN_RATIO" -v widebytes="${WIDE_BYTES:-0}" \
      -v verdict="$T/verdict.txt" '
    function sortv(s, a,   n, i, j, t) { n = split(s, a, " "); for (i = 2; i <= n; i++) { t = a[i] + 0; j = i - 1; while (j >= 1 && a[j] + 0 > t) { a[j + 1] = a[j]; j-- } a[j + 1] = t } return n }
    function med(s,   a, n) { n = sortv(s, a); if (n == 0) return ""; return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    function vmin(s,   a, n) { n = sortv(s, a); return n ? a[1] : "" }
    function vmax(s,   a, n) { n = sortv(s, a); return n ? a[n] : "" }
    NR == 1 { next }
    { k = $2 SUBSEP $3 SUBSEP $4; reps[$1] = 1; FT[k] += $8; RUNS[k]++; BUSY[k] = BUSY[k] " " $13
      if ($9 == 0 && $5 > 0) { TPS[k] = TPS[k] " " $5; LAT[k] = LAT[k] " " $6; T[$1, k] = $5
        if ($10 != "-") CC[k] = CC[k] " " $10; if ($11 != "-") PC[k] = PC[k] " " $11; if ($12 != "-") SC[k] = SC[k] " " $12 }
      else FR[k]++ }
    END {
      nc = split(cells, C, " "); nn = split(names, N, " ")
      print "| workload | clients | contender | median TPS | TPS ratio vs direct, median [min-max] | mean latency ms | failed txns | failed runs | proxy CPU us/txn | server CPU us/txn | client CPU us/txn | host busy % |"
      print "|---|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"
      for (i = 1; i <= nc; i++) { split(C[i], wc, ":")
        for (j = 1; j <= nn; j++) { n = N[j]; k = wc[1] SUBSEP wc[2] SUBSEP n; kb = wc[1] SUBSEP wc[2] SUBSEP base
          r = ""
          for (rp in reps) if (((rp, k) in T) && ((rp, kb) in T)) r = r " " T[rp, k] / T[rp, kb]
          if (n == base) rs = "1.000"
          else if (r == "") rs = "n/a"
          else { R[C[i], n] = med(r); rs = sprintf("%.3f [%.3f-%.3f]", med(r), vmin(r), vmax(r)) }
          if (n == base && wc[2] == 1 && BUSY[k] != "" && med(BUSY[k]) >= 90) busy1 = 1
          printf "| %s | %s | %s | %s | %s | %s | %d | %d/%d | %s | %s | %s | %s |\n", wc[1], wc[2], n,
            (TPS[k] == "") ? "n/a" : sprintf("%.0f", med(TPS[k])), rs,
            (LAT[k] == "") ? "n/a" : sprintf("%.3f", med(LAT[k])), FT[k], FR[k], RUNS[k],
            (n == base) ? "-" : ((PC[k] == "") ? "n/a" : sprintf("%.1f", med(PC[k]))),
            (SC[k] == "") ? "-" : sprintf("%.1f", med(SC[k])), (CC[k] == "") ? "-" : sprintf("%.1f", med(CC[k])),
            (BUSY[k] == "") ? "-" : med(BUSY[k])
          if (wc[1] == "wide" && TPS[k] != "" && widebytes > 0) WIDE[n, wc[2]] = med(TPS[k]) * widebytes / 1048576
        }
      }
      if (busy1) printf "\nNote: the host was >= 90 %% busy during the 1-client direct runs, where pgbench and PostgreSQL alone keep it 40-70 %% busy: other processes were competing for the CPUs, so the c=1 cells (and probably the others) measure scheduling contention as much as the proxies.\n"
      # pivot: ratio per cell and proxy; geometric mean over the non-churn cells
      print ""
      hdr = "| cell (TPS ratio vs direct) |"; sep = "|---|"
      for (j = 2; j <= nn; j++) { hdr = hdr " " N[j] " |"; sep = sep "---:|" }
      hasgw = 0; hasbo = 0; for (j = 2; j <= nn; j++) { if (N[j] == "gateway") hasgw = 1; if (N[j] == "pgbouncer") hasbo = 1 }
      if (hasgw && hasbo) { hdr = hdr " gateway / pgbouncer |"; sep = sep "---:|" }
      print hdr; print sep
      nmain = 0
      for (i = 1; i <= nc; i++) { split(C[i], wc, ":"); main = (wc[1] != "churn"); if (main) nmain++
        line = sprintf("| %s c=%s%s |", wc[1], wc[2], main ? "" : " (not in geomean)")
        for (j = 2; j <= nn; j++) { n = N[j]
          if ((C[i], n) in R) { line = line sprintf(" %.3f |", R[C[i], n]); if (main) { G[n] += log(R[C[i], n]); GN[n]++ } }
          else line = line " n/a |" }
        if (main && wc[2] > 1) { nmulti++; for (j = 2; j <= nn; j++) if ((C[i], N[j]) in R) { GM2[N[j]] += log(R[C[i], N[j]]); GN2[N[j]]++ } }
        if (hasgw && hasbo) line = line (((C[i], "gateway") in R && (C[i], "pgbouncer") in R && R[C[i], "pgbouncer"] > 0) ? sprintf(" %.3f |", R[C[i], "gateway"] / R[C[i], "pgbouncer"]) : " n/a |")
        print line }
      line = sprintf("| **geometric mean, %d main cells** |", nmain)
      for (j = 2; j <= nn; j++) { n = N[j]; GM[n] = (GN[n] == nmain && nmain > 0) ? exp(G[n] / GN[n]) : ""
        line = line ((GM[n] == "") ? " n/a |" : sprintf(" **%.3f** |", GM[n])) }
      acc = ""
      if (hasgw && hasbo) { if (GM["gateway"] != "" && GM["pgbouncer"] > 0) { acc = GM["gateway"] / GM["pgbouncer"]; line = line sprintf(" **%.3f** |", acc) } else line = line " n/a |" }
      print line
      if (acc != "") {
        ok = (acc >= minratio)
        printf "\nAcceptance: gateway geomean / pgbouncer geomean = **%.3f** (%.3f / %.3f), threshold %s: **%s**%s\n",
          acc, GM["gateway"], GM["pgbouncer"], minratio, ok ? "PASS" : "FAIL",
          (nmain == 8) ? "" : sprintf(" (over %d cells; the acceptance number is defined over the 8 cells of the default run)", nmain)
        printf "%s %.4f\n", ok ? "PASS" : "FAIL", acc > verdict
        if (nmulti > 0 && nmulti < nmain && GN2["gateway"] == nmulti && GN2["pgbouncer"] == nmulti)
          printf "\nFor reference, over the %d main cells with more than one client (at c=1 the host has an idle core, which a proxy that spins can use to beat direct): gateway / pgbouncer = %.3f.\n",
            nmulti, exp((GM2["gateway"] - GM2["pgbouncer"]) / nmulti)
      }
      if (widebytes > 0 && cells ~ /(^| )wide:/) {
        printf "\nWide workload: ~%.0f KiB of DataRow messages per transaction (%d rows x 7 text columns); payload at median TPS:", widebytes / 1024, 1000
        for (i = 1; i <= nc; i++) { split(C[i], wc, ":"); if (wc[1] != "wide") continue
          line = sprintf(" c=%s:", wc[2]); sepc = ""
          for (j = 1; j <= nn; j++) if ((N[j], wc[2]) in WIDE) { line = line sprintf("%s %s %.0f MiB/s", sepc, N[j], WIDE[N[j], wc[2]]); sepc = "," }
          printf "%s;", line }
        print ""
      }
    }' "$RAW"
}

gateway_log_report() {  # counts of warnings/errors in the gateway log, with the most frequent messages
  [[ -s $T/gateway.log ]] || return 0
  local w f c
  w=$(grep -c '^warn: ' "$T/gateway.log" || true); f=$(grep -cE '^(fail|crit): ' "$T/gateway.log" || true)
  c=$(wc -l <"$T/gateway.log")
  echo "Gateway log: $c lines, $w warnings, $f errors."
  if ((w + f > 0)); then
    echo; echo "Most frequent gateway warnings/errors (session ids, endpoints and numbers replaced by #):"; echo '```'
    grep -E '^(warn|fail|crit): ' "$T/gateway.log" | sed -E 's/[0-9]+/#/g' | sort | uniq -c | sort -rn | head -10
    echo '```'
  fi
}

# ----------------------------------------------------------------- main ---
START_TS=$(date +%s)
want_gateway && build_gateway
start_postgres
load_data
want pgbouncer && start_pgbouncer
want haproxy && start_haproxy
want_gateway && start_gateway
for n in "${C_NAMES[@]}"; do
  t0=$(date +%s.%N)
  wait_ready "$n"
  [[ $n == gateway ]] && GW_FIRST_LOGIN_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
  if [[ $n == direct ]]; then C_PID[$n]=${DAEMON_PID[postgres]}; else C_PID[$n]=${DAEMON_PID[$n]}; fi
done
want gateway && GW_RSS_START=$(rss_kib "${DAEMON_PID[gateway]}")
check_loopback_only

if [[ $SERVE == 1 ]]; then
  log "SERVE=1: stack is up; Ctrl-C (or SIGTERM) to stop.  Password: $BENCH_PASS"
  for n in "${C_NAMES[@]}"; do log "  $n: ${C_CONN[$n]}"; done
  while :; do sleep 3600 & BG_PIDS+=("$!"); wait "$!" || true; done
fi

CMDLINE="${CMD_ENV}$0${ORIG_ARGS[*]:+ ${ORIG_ARGS[*]}}"
{
  echo "# pgbench-compare $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "- command: \`$CMDLINE\` (run from $START_DIR)"
  echo "- gateway build: commit $GW_COMMIT ($(dotnet --list-runtimes 2>/dev/null | awk '/^Microsoft.NETCore.App/{v=$2} END{print "Microsoft.NETCore.App " v}'), Release, workstation non-concurrent GC per Gateway.Host.csproj, DOTNET_GCgen0size=${GATEWAY_GCGEN0SIZE:-${DOTNET_GCgen0size:-unset}})"
  echo "- host: nproc=$NPROC, cpu '$(awk -F': ' '/^model name/{m=$2} /^cpu family/{f=$2} /^model[[:space:]]*:/{n=$2} END{printf "%s (family %s model %s)", m, f, n}' /proc/cpuinfo)'$(grep -qw hypervisor /proc/cpuinfo && echo ", virtualised"), mem $(awk '/^MemTotal:/{printf "%.0f", $2/1048576}' /proc/meminfo) GiB, kernel $(uname -r), $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  echo "- versions: $("$PGBIN/postgres" --version); $("$PGBENCH" --version)$(want pgbouncer && echo "; $(pgbouncer --version | head -1)")$(want haproxy && echo "; $(haproxy -v | head -1 | cut -d' ' -f1-3)"); .NET SDK $(dotnet --version 2>/dev/null || echo n/a)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- settings: REPS=$REPS DURATION=${DURATION}s CLIENTS='$CLIENTS' WIDE_CLIENTS='$WIDE_CLIENTS' CHURN_CLIENTS='$CHURN_CLIENTS' WORKLOADS='$WORKLOADS' SCALE=$SCALE contenders='${C_NAMES[*]}' GATEWAY_WARMUP=${GATEWAY_WARMUP}s"
  if want gateway; then echo "- gateway start-up: listening $GW_START_S s after launch; first login + \`select 1\` through it (psql) took $GW_FIRST_LOGIN_S s; VmRSS $GW_RSS_START KiB after it"; fi
} | tee "$T/header.txt"

if [[ $CONNTEST == 1 ]]; then
  # before any benchmark load, on processes that have served one login each (see docs/benchmarks.md)
  {
    echo
    echo "## Idle-session memory (VmRSS of the proxy process, KiB; round 1 on a fresh process, round 2 right after)"
    echo
    echo "| contender | round | sessions asked | established | upstream backends opened | connect time s | RSS before | RSS with sessions | RSS 3 s after close | threads with sessions | KiB per session |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for ct in $CONN_TARGETS; do
      for ((round = 1; round <= CONN_ROUNDS; round++)); do
        if want "${ct%%:*}"; then conn_test "${ct%%:*}" "${ct##*:}" "$round"; fi
      done
    done
  } >"$T/memory.md"
fi

if [[ $WORKLOADS == none ]]; then  # idle-session memory only: no warm-up, no matrix
  [[ -s $T/memory.md ]] && cat "$T/memory.md"
  [[ -n $RESULTS_DIR ]] && { cat "$T/header.txt" "$T/memory.md" >"$RESULTS_DIR/pgbench-compare.md" 2>/dev/null || true; }
  exit 0
fi

log "warm-up"
for n in "${C_NAMES[@]}"; do run_one 0 select-simple 8 "$n" 1 0; run_one 0 wide 2 "$n" 1 0; done
if want_gateway && ((GATEWAY_WARMUP > 0)); then
  # the gateway's JIT tiers up (tier0 -> instrumented -> tier1 with PGO) under load
  for g in gateway gateway-masked gateway-recorded; do
    want "$g" || continue
    for w in select-simple select-prepared wide; do run_one 0 "$w" 8 "$g" "$GATEWAY_WARMUP" 0; done
  done
fi

# interleaved matrix: cell-major, contender order rotated per (rep, cell)
cells=()
for w in $WORKLOADS; do workload_args "$w" >/dev/null; for c in $(workload_clients "$w"); do cells+=("$w:$c"); done; done
nC=${#C_NAMES[@]}
log "matrix: ${#cells[@]} cells x $nC contenders x $REPS reps x ${DURATION}s ~= $(( ${#cells[@]} * nC * REPS * (DURATION + 1) / 60 + 1 )) min"
MATRIX_TS=$(date +%s)
for ((rep = 1; rep <= REPS; rep++)); do
  for ((ci = 0; ci < ${#cells[@]}; ci++)); do
    w=${cells[$ci]%%:*}; c=${cells[$ci]##*:}
    for ((k = 0; k < nC; k++)); do
      run_one "$rep" "$w" "$c" "${C_NAMES[$(((k + rep + ci) % nC))]}" "$DURATION"
    done
  done
done
log "matrix done in $(( $(date +%s) - MATRIX_TS ))s"
for n in "${!DAEMON_PID[@]}"; do pid_alive "${DAEMON_PID[$n]}" || log "WARNING: $n (pid ${DAEMON_PID[$n]}) is no longer running"; done

{
  echo
  echo "## Throughput (medians over $REPS interleaved repetitions, ${DURATION} s each)"
  echo
  summarize
} | tee "$T/summary.md"
[[ -s $T/memory.md ]] && cat "$T/memory.md"


{
  if want gateway; then
    echo
    if pid_alive "${DAEMON_PID[gateway]}"; then echo "Gateway process still running at the end; VmRSS $(rss_kib "${DAEMON_PID[gateway]}") KiB, peak $(rss_kib "${DAEMON_PID[gateway]}" VmHWM) KiB."
    else echo "**The gateway process exited before the end of the run.**"; fi
    gateway_log_report
  fi
  echo
  echo "Total wall time: $(( $(date +%s) - START_TS )) s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$T/footer.md"

if [[ -n $RESULTS_DIR ]]; then
  cat "$T/header.txt" "$T/summary.md" "$T"/memory.md "$T/footer.md" >"$RESULTS_DIR/pgbench-compare.md" 2>/dev/null || true
  log "results copied to $RESULTS_DIR"
fi
if [[ $STRICT == 1 && -s $T/verdict.txt ]] && grep -q '^FAIL' "$T/verdict.txt"; then
  log "STRICT=1: gateway/pgbouncer geomean ratio below $MIN_RATIO"
  exit 3
fi
exit 0
