#!/usr/bin/env bash
# The retrieval figures: exact scan and HNSW search over 1M synthetic 384-dim unit vectors (random and clustered),
# and durable ingestion into the embedded store. One JSON object per line. COUNT overrides the size.
set -euo pipefail
cd "$(dirname "$0")/.."
count="${COUNT:-1000000}"
dotnet build src/Cli -c Release -v quiet -nologo >&2
embedctl=src/Cli/bin/Release/net10.0/linux-x64/embedctl
for data in random clustered; do
  "$embedctl" bench-search --count "$count" --dim 384 --queries 200 --k 10 --data "$data" --index both
done
"$embedctl" bench-search --count "$count" --dim 384 --data random --index none --ingest --batch 1000 --writers 4
