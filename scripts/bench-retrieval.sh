#!/usr/bin/env bash
# The retrieval figures: exact scan and HNSW search over 1M synthetic 384-dim unit vectors (random and clustered),
# the exact scan on every core (single and batched queries) against the measured read bandwidth, durable ingestion
# into the embedded store, and an HNSW collection's restart (graph loaded) vs rebuild. One JSON object per line.
# COUNT overrides the size, RESTART_COUNT the restart case's (building a 1M graph twice takes a while).
set -euo pipefail
cd "$(dirname "$0")/.."
count="${COUNT:-1000000}"
restart_count="${RESTART_COUNT:-$count}"
dotnet build src/Cli -c Release -v quiet -nologo >&2
embedctl=src/Cli/bin/Release/net10.0/linux-x64/embedctl
echo "load before: $(uptime)" >&2
"$embedctl" bench-search --count "$count" --dim 384 --bandwidth
for data in random clustered; do
  "$embedctl" bench-search --count "$count" --dim 384 --queries 200 --k 10 --data "$data" --index both --query-batch 16
done
"$embedctl" bench-search --count "$count" --dim 384 --data random --index none --ingest --batch 1000 --writers 4
"$embedctl" bench-search --count "$restart_count" --dim 384 --queries 100 --k 10 --data clustered --restart --rebuild
echo "load after: $(uptime)" >&2
