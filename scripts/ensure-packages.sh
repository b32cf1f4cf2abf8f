#!/usr/bin/env bash
# Installs what GatewayCore's demo and tests need from Debian's packages, only when missing (idempotent).
# Services are kept from auto-starting: the demo and the tests start their own throwaway PostgreSQL.
set -euo pipefail

need=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
[[ -n $pg_bin && -x $pg_bin/initdb && -x $pg_bin/pgbench ]] || need+=(postgresql postgresql-contrib)
command -v psql >/dev/null || need+=(postgresql-client)
command -v openssl >/dev/null || need+=(openssl)
command -v setpriv >/dev/null || need+=(util-linux)
for extra in "$@"; do command -v "$extra" >/dev/null || need+=("$extra"); done

if ((${#need[@]})); then
  echo "ensure-packages: installing ${need[*]}" >&2
  sudo=""
  [[ $(id -u) == 0 ]] || sudo=sudo
  made_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null && $sudo chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y --no-install-recommends "${need[@]}" >&2 \
    || { $sudo apt-get update >&2 && $sudo apt-get install -y --no-install-recommends "${need[@]}" >&2; }
  ((made_policy)) && $sudo rm -f /usr/sbin/policy-rc.d
fi

command -v dotnet >/dev/null || { echo "ensure-packages: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
