#!/usr/bin/env bash
# GatewayCore demo: a throwaway PostgreSQL with a "shop" database, the gateway in front of it, and an AI agent that
# holds no database credential. The agent asks for time-boxed access, a policy or a reviewer approves it, the agent
# queries through the gateway over TLS, and the gateway ends its session when the grant expires or is revoked. Every
# event goes to a hash-chained, signed audit log and every session to a compressed recording; the reviewer queries,
# replays and verifies them.
# Prints what happened and cleans up after itself. Everything listens on 127.0.0.1 only.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/ensure-packages.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }
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
reader_password=$(openssl rand -hex 16)
writer_password=$(openssl rand -hex 16)
as_pg "$pg_bin/psql" -h "$work/pg" -p "$pg_port" -U postgres -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE shop"
as_pg "$pg_bin/psql" -h "$work/pg" -p "$pg_port" -U postgres -d shop -X -q -v ON_ERROR_STOP=1 -f - <<SQL
CREATE TABLE customers (id int PRIMARY KEY, name text, email text, ssn text, phone text, country text, notes text);
INSERT INTO customers VALUES
  (1, 'Ada Lovelace', 'ada@analytical.example', '219-09-9999', '+44 20 7946 0018', 'UK', 'prefers e-mail: ada.l@home.example'),
  (2, 'Grace Hopper', 'grace@navy.example', '078-05-1120', '+1 202 555 0147', 'US', 'card on file 4111 1111 1111 1111'),
  (3, 'Katherine Johnson', 'kj@nasa.example', '123-45-6789', '+1 757 555 0199', 'UK', NULL);
SQL
# Least-privilege upstream roles: read and write scopes, no temp tables, no DO blocks, no large objects.
PGOPTIONS='-c client_min_messages=error' as_pg "$pg_bin/psql" -h "$work/pg" -p "$pg_port" -U postgres -d shop -X -q -v ON_ERROR_STOP=1 \
  -v database=shop -v schema=public -v reader=shop_reader -v reader_password="$reader_password" \
  -v writer=shop_writer -v writer_password="$writer_password" -f "$root/docs/roles.sql" >/dev/null
openssl rand -hex 32 >"$work/token.key"
printf '%s' "$reader_password" >"$work/reader.password"
printf '%s' "$writer_password" >"$work/writer.password"
chmod 600 "$work"/*.password "$work/token.key"
echo "roles shop_reader and shop_writer from docs/roles.sql: their passwords stay with the gateway"

say "Identities: an agent and a reviewer, each with an API key (only its hash is configured)"
agent_keys=$(gateway apikey); reviewer_keys=$(gateway apikey)
agent_key=$(awk '/^key:/{print $2}' <<<"$agent_keys"); reviewer_key=$(awk '/^key:/{print $2}' <<<"$reviewer_keys")
gw_port=$(free_port); control_port=$(free_port)
mkdir -p "$work/tls" "$work/witness"  # the witness stands for another machine's mount
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" 2>/dev/null
cat >"$work/gateway.json" <<JSON
{
  "listeners": [ { "address": "127.0.0.1:$gw_port", "tls": { "certificate": "tls/cert.pem", "key": "tls/key.pem" }, "requireTls": true } ],
  "control": { "address": "127.0.0.1:$control_port", "gatewayAddress": "localhost:$gw_port" },
  "targets": [ { "name": "shop", "host": "127.0.0.1", "port": $pg_port, "database": "shop",
                 "scopes": { "read":  { "access": "read",  "user": "shop_reader", "password": { "file": "reader.password" } },
                             "write": { "access": "write", "user": "shop_writer", "password": { "file": "writer.password" } } },
                 "masking": { "columns": [ { "column": "public.customers.email", "style": "token" },
                                           { "column": "public.customers.ssn" },
                                           { "column": "public.customers.phone", "style": "partial", "keepLast": 4 } ],
                              "tokenKey": { "file": "token.key" } } } ],
  "identities": [ { "name": "claude-code", "kind": "agent", "apiKeyHash": "$(awk '/^hash:/{print $2}' <<<"$agent_keys")" },
                  { "name": "alice", "kind": "reviewer", "groups": [ "dba" ], "apiKeyHash": "$(awk '/^hash:/{print $2}' <<<"$reviewer_keys")" } ],
  "audit": { "directory": "audit", "witnessFile": "witness/checkpoints.log", "checkpointIntervalSeconds": 5,
             "recordings": { "directory": "recordings" } },
  "policies": [ { "name": "agents-read-shop", "agents": [ "claude-code" ], "targets": [ "shop" ], "scopes": [ "read" ], "maxDuration": "30m" },
                { "name": "agents-write-shop", "agents": [ "claude-code" ], "targets": [ "shop" ], "scopes": [ "write" ], "maxDuration": "15m",
                  "approval": { "mode": "reviewers", "group": "dba" } } ]
}
JSON
dotnet "$work/gateway/gateway.dll" serve --config "$work/gateway.json" --log-format text >"$work/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 200); do grep -q "Application started" "$work/gateway.log" && break; sleep 0.1; done
grep -q "Application started" "$work/gateway.log" || { cat "$work/gateway.log"; exit 1; }
echo "gateway: PostgreSQL on 127.0.0.1:$gw_port (TLS required), control API on 127.0.0.1:$control_port"
export GATEWAY_CONTROL_URL=http://127.0.0.1:$control_port
as_agent() { GATEWAY_API_KEY=$agent_key gateway "$@"; }
as_reviewer() { GATEWAY_API_KEY=$reviewer_key gateway "$@"; }
psql_grant() { PGPASSWORD=$2 psql "host=localhost port=$gw_port user=$1 dbname=shop sslmode=verify-full sslrootcert=$work/tls/cert.pem" -X "${@:3}"; }

say "The agent asks for 20 seconds of read access; the policy approves it"
run as_agent grant request --target shop --scope read --duration 20s --task "look up the customers of ticket 4711" --wait 5 | tee "$work/read.grant"
read_user=$(awk '/^user/{print $2}' "$work/read.grant"); read_password=$(awk '/^password/{print $2}' "$work/read.grant")

say "The agent queries through the gateway with the grant's one-time credential: protected columns come back masked"
psql_grant "$read_user" "$read_password" -c "SELECT * FROM customers ORDER BY id" -c "SELECT current_user AS upstream_role"
echo "(email is a token — equal values give equal tokens — ssn is redacted, phone keeps its last 4 digits, and the"
echo " detectors caught the e-mail address and card number in the unprotected notes column; the database sees the"
echo " scope's role, whose password the agent never held)"

say "Aliases and expressions do not get around it: masking follows where a value comes from"
psql_grant "$read_user" "$read_password" -c "SELECT name, ssn AS x, upper(email) AS shout, 'tel: ' || phone AS laundered FROM customers ORDER BY id" \
  -c "COPY customers (id, name, ssn, phone) TO STDOUT WITH (FORMAT csv, HEADER)"

say "Write access needs a reviewer; the agent cannot approve its own request"
as_agent grant request --target shop --scope write --duration 5m --task "fix the country of customer 3" --justification "ticket 4712" --wait 30 >"$work/write.grant" 2>&1 &
request_pid=$!
for _ in $(seq 100); do pending=$(as_reviewer grant list --status requested | awk 'NR==2{print $1}'); [[ -n $pending ]] && break; sleep 0.1; done
as_reviewer grant list --status requested
as_agent grant approve "$pending" --reason "looks fine to me" 2>&1 | sed 's/^/  /' || true
run as_reviewer grant approve "$pending" --reason "checked ticket 4712"
wait "$request_pid"
cat "$work/write.grant"
write_user=$(awk '/^user/{print $2}' "$work/write.grant"); write_password=$(awk '/^password/{print $2}' "$work/write.grant")
psql_grant "$write_user" "$write_password" -c "UPDATE customers SET country = 'US' WHERE id = 3"

say "Revocation ends a live session at once"
psql_grant "$write_user" "$write_password" -c "SELECT pg_sleep(60)" 2>&1 | sed 's/^/  /' &
psql_pid=$!
sleep 1
run as_reviewer grant revoke "$write_user" --reason "done with ticket 4712" >/dev/null
wait "$psql_pid" || true

say "Expiry ends a live session at the end of its window, even in the middle of a query"
psql_grant "$read_user" "$read_password" -c "SELECT now()::time(0) AS started, pg_sleep(60)" 2>&1 | sed 's/^/  /' || true
echo "  (ended at $(date -u +%T) UTC)"
psql_grant "$read_user" "$read_password" -c "SELECT 1" 2>&1 | sed 's/^/  /' || true

say "The reviewer's view: every grant, who approved it, how it ended"
as_reviewer grant list
as_reviewer grant show "$write_user"

say "The reviewer's question, as a query: who reached shop today, with what access, approved by whom, what they did"
sleep 5  # one checkpoint interval: the last sessions' records get their signed checkpoint
run as_reviewer audit query --agent claude-code --target shop --day "$(date -u +%F)"
first_session=$(as_reviewer audit query --agent claude-code --target shop --json | jq -r '.[0].session')

say "A session's recording, replayed as the agent saw it (masked values stay masked)"
run as_reviewer replay "$first_session" | head -n 40

say "Verifying the trail offline: hash chain, signed checkpoints, the witness's copy, every recording"
run gateway audit verify --config "$work/gateway.json"

say "What the gateway logged (identities, grants, reasons; no row data, no secrets)"
grep -E "Grant|Session .* (opened|closed|being ended)|refused" "$work/gateway.log" | sed 's/^/  /'

say "Someone with the gateway's disk edits the record of a session: the verifier names the record"
kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true; gateway_pid=""
segment=$(ls "$work"/audit/audit-*.log | tail -n1)
sed -i '0,/"statements":\([0-9]\)/s//"statements":9\1/' "$segment"
gateway audit verify --config "$work/gateway.json" | sed 's/^/  /' || echo "  (gateway audit verify exited with $?: the trail does not verify)"
