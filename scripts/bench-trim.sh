#!/usr/bin/env bash
# The figures behind the scheduler's trim rule (NativeHeap.ReleaseFreedMemory): full batches at the token budget,
# with and without malloc_trim after each forward, alternated over ROUNDS rounds. One JSON object per line on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Cli -c Release -v quiet -nologo >&2
embedctl=src/Cli/bin/Release/net10.0/linux-x64/embedctl
for round in $(seq 1 "${ROUNDS:-2}"); do
  for shape in "--batch 32 --res 224" "--batch 6 --res 518"; do
    for trim in "" "--trim"; do
      echo "round $round: $shape $trim" >&2
      # shellcheck disable=SC2086
      "$embedctl" bench --arch vits14 --weights random:0 $shape --threads "${THREADS:-2}" --warmup 3 --iterations 12 $trim
    done
  done
done
