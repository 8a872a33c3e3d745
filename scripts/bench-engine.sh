#!/usr/bin/env bash
# The engine figures of the closing notes: ViT-S/14 at 224 at batch 1, 8 and 32 against the machine's GEMM rate,
# a per-operation profile at batch 8, and resident memory over 1,000 forwards. One JSON object per line.
set -euo pipefail
cd "$(dirname "$0")/.."
threads="${THREADS:-2}"
dotnet build src/Cli -c Release -v quiet -nologo >&2
embedctl=src/Cli/bin/Release/net10.0/linux-x64/embedctl
for batch in 1 8 32; do
  "$embedctl" bench --arch vits14 --weights random:0 --batch "$batch" --res 224 --threads "$threads" --seconds 20 --matmul
done
"$embedctl" bench --arch vits14 --weights random:0 --batch 8 --res 224 --threads "$threads" --seconds 5 --profile
"$embedctl" bench --arch vits14 --weights random:0 --batch 1 --res 224 --threads "$threads" --iterations 1000 --warmup 0
