#!/usr/bin/env bash
# Runs every test: unit tests on byte fixtures, and integration tests against a real PostgreSQL that the test
# fixture starts itself (initdb into a temp directory, a free loopback port), through Npgsql, psql and pgbench.
# TRX results go to TestResults/ (.ci/run reads them).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/ensure-packages.sh"
rm -rf TestResults
ulimit -n 65536 2>/dev/null || true
dotnet build GatewayCore.sln -c Release -warnaserror --nologo -v q
dotnet test GatewayCore.sln -c Release --no-build --nologo \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$root/TestResults" "$@"
