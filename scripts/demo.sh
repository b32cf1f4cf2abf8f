#!/usr/bin/env bash
# GatewayCore demo: a throwaway PostgreSQL with a "shop" database, the gateway in front of it, an agent identity
# that holds no database credential, and psql going through the gateway over TLS. Prints what happened and cleans
# up after itself. Everything listens on 127.0.0.1 only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/ensure-packages.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
work=$(mktemp -d "${TMPDIR:-/tmp}/gatewaycore-demo.XXXXXX")
chmod 755 "$work"
gateway_pid=""
if [[ $(id -u) == 0 ]]; then
  as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
else
  as_pg() { "$@"; }
fi
cleanup() {
  set +e
  [[ -n $gateway_pid ]] && kill "$gateway_pid" 2>/dev/null && wait "$gateway_pid" 2>/dev/null
  [[ -f $work/pg/data/postmaster.pid ]] && as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  echo "no free port" >&2; exit 1
}

say "Building the gateway (dotnet publish -c Release)"
dotnet publish "$root/src/Gateway.Host" -c Release -o "$work/gateway" --nologo -v q >/dev/null
gateway() { dotnet "$work/gateway/gateway.dll" "$@"; }

say "Starting a throwaway PostgreSQL ($("$pg_bin/postgres" --version))"
mkdir -p "$work/pg"
[[ $(id -u) == 0 ]] && chown postgres: "$work/pg"
pg_port=$(free_port)
as_pg "$pg_bin/initdb" -D "$work/pg/data" -U postgres -E UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 >/dev/null
cat >>"$work/pg/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$work/pg'
CONF
as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/postgres.log" -w start >/dev/null
upstream_password=$(openssl rand -hex 16)
as_pg "$pg_bin/psql" -h "$work/pg" -p "$pg_port" -U postgres -X -q -v ON_ERROR_STOP=1 -f - <<SQL
CREATE ROLE shop_reader LOGIN PASSWORD '$upstream_password';
CREATE DATABASE shop;
\c shop
CREATE TABLE customers (id int PRIMARY KEY, name text, email text, country text);
INSERT INTO customers VALUES
  (1, 'Ada Lovelace', 'ada@example.com', 'UK'),
  (2, 'Grace Hopper', 'grace@example.com', 'US'),
  (3, 'Katherine Johnson', 'katherine@example.com', 'US');
GRANT SELECT ON customers TO shop_reader;
SQL
echo "PostgreSQL on 127.0.0.1:$pg_port; upstream role shop_reader (its password stays with the gateway)"

say "Configuring the gateway: TLS, a target, an agent identity"
mkdir -p "$work/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" 2>/dev/null
agent_secret=$(openssl rand -hex 16)
verifier=$(printf '%s\n' "$agent_secret" | gateway verifier)
printf '%s' "$upstream_password" >"$work/shop.password"
chmod 600 "$work/shop.password"
cat >"$work/gateway.json" <<JSON
{
  "listeners": [ { "address": "127.0.0.1:0", "tls": { "certificate": "tls/cert.pem", "key": "tls/key.pem" }, "requireTls": true } ],
  "targets": [ { "name": "shop", "host": "127.0.0.1", "port": $pg_port, "database": "shop",
                 "user": "shop_reader", "password": { "file": "shop.password" } } ],
  "agents": [ { "name": "claude-code", "verifier": "$verifier", "targets": [ "shop" ] } ]
}
JSON
echo "agent claude-code is stored only as a SCRAM verifier: ${verifier:0:40}..."
gateway serve --config "$work/gateway.json" --log-format text >"$work/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 100); do
  gw_port=$(sed -n 's/.*Listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/gateway.log" | head -n1)
  [[ -n $gw_port ]] && break
  sleep 0.1
done
[[ -n ${gw_port:-} ]] || { cat "$work/gateway.log"; exit 1; }
echo "gateway listening on 127.0.0.1:$gw_port (TLS required)"

conn="host=localhost port=$gw_port user=claude-code dbname=shop sslmode=verify-full sslrootcert=$work/tls/cert.pem"
say "The agent queries through the gateway (psql, sslmode=verify-full)"
PGPASSWORD=$agent_secret psql "$conn" -X -c "SELECT id, name, country FROM customers ORDER BY id" \
  -c "SELECT current_user AS upstream_role, ssl AS gateway_to_database_tls FROM pg_stat_ssl WHERE pid = pg_backend_pid()" || true
echo "(the database sees the gateway's role; the agent never held its password)"

say "A wrong secret is refused, without saying whether the agent exists"
PGPASSWORD=wrong psql "$conn" -X -c "SELECT 1" 2>&1 | sed 's/^/  /' || true
PGPASSWORD=wrong psql "${conn/claude-code/nobody}" -X -c "SELECT 1" 2>&1 | sed 's/^/  /' || true

say "A plaintext connection is refused: the listener requires TLS"
PGPASSWORD=$agent_secret psql "host=127.0.0.1 port=$gw_port user=claude-code dbname=shop sslmode=disable" -X -c "SELECT 1" 2>&1 | sed 's/^/  /' || true

say "A running query is cancelled through the gateway's own cancel key"
PGPASSWORD=$agent_secret timeout -s INT 1 psql "$conn" -X -c "SELECT pg_sleep(30)" 2>&1 | sed 's/^/  /' || true

say "What the gateway recorded (its log: identities, reasons, no row data, no secrets)"
sleep 0.5
grep -E "Session|refused|Listening" "$work/gateway.log" | sed 's/^/  /'
