#!/usr/bin/env bash
# Regenerates src/Gateway.Core/PublicAPI.Unshipped.txt from the analyzer's RS0016/RS0017 diagnostics.
# Run after a deliberate public API change, then review the diff.
set -euo pipefail
cd "$(dirname "$0")/../src/Gateway.Core"
printf '#nullable enable\n' > PublicAPI.Unshipped.txt
out=$(dotnet build --no-incremental -c Release 2>&1 || true)
{
  printf '#nullable enable\n'
  grep -oP "RS0016: Symbol '\K.*?(?=' is not part of the declared public API)" <<<"$out" | sort -u
} > PublicAPI.Unshipped.txt
echo "$(($(wc -l < PublicAPI.Unshipped.txt) - 1)) public symbols recorded"
