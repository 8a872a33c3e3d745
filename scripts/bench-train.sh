#!/usr/bin/env bash
# The training-step figures of the closing notes, one JSON object per line: ViT-S/14 student + DINO and iBOT heads
# (PROTOTYPES, default 65536), batch 8 of 2 global 224 + 8 local 98 crops, drop path 0.4, 2 threads, alternating
#   packed-subset  one packed student forward, residual branches on a batch subset (the paper's recipe)
#   separate-mask  a student forward per crop size, per-sample DropPath masks
# each with the default allocator and with --keep-freed-memory, and
#   official       ../shared/anchors/bench_official_step.py (the official code, same config), when DINOV2_SRC and
#                  Debian's python3-torch are present (see the anchors' README)
# over ROUNDS rounds (default 2); then resident memory after 20 and 200 steps of a small step (MEMORY=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${ROUNDS:-2}" prototypes="${PROTOTYPES:-65536}" threads="${THREADS:-2}"
anchors="${ANCHORS:-../shared/anchors}"
export ANCHORS_OUT="${ANCHORS_OUT:-/tmp/anchors}" DINOV2_SRC="${DINOV2_SRC:-/tmp/dinov2-src}"
dotnet build src/Cli -c Release -v quiet -nologo >&2
embedctl=src/Cli/bin/Release/net10.0/linux-x64/embedctl
official=""
if [[ -d "$DINOV2_SRC/dinov2" ]] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  official="$(bash "$anchors/openblas.sh" 2>/dev/null)"
else
  echo "bench-train: no official anchor (needs DINOV2_SRC and /usr/bin/python3 with torch)" >&2
fi
for round in $(seq 1 "$rounds"); do
  for allocator in "" --keep-freed-memory; do
    for layout in packed-subset separate-mask; do
      "$embedctl" bench-train --arch vits14 --prototypes "$prototypes" --batch 8 --local-crops 8 --drop-path 0.4 \
        --layout "$layout" $allocator --warmup 2 --steps 3 --threads "$threads" | jq -c --argjson round "$round" '. + {round: $round}'
    done
  done
  if [[ -n "$official" ]]; then
    LD_LIBRARY_PATH="$official" /usr/bin/python3 "$anchors/bench_official_step.py" --prototypes "$prototypes" --batch 8 \
      --threads "$threads" --drop-path 0.4 --warmup 2 --steps 3 --out "$ANCHORS_OUT/train_step/round$round.json" >/dev/null 2>&1
    jq -c --argjson round "$round" '{command: "official-step", round: $round, steps_per_s: .summary.steps_per_s,
      images_per_s: .summary.images_per_s, step_s: .summary.step_s, phases_ms_median: .summary.phases_ms_median,
      peak_rss_mb: .memory.peak_rss_mb, max_foreign_cpu_share: .summary.max_foreign_cpu_share}' "$ANCHORS_OUT/train_step/round$round.json"
  fi
done
if [[ "${MEMORY:-1}" != 0 ]]; then
  "$embedctl" bench-train --arch vits14 --prototypes 4096 --batch 2 --global-size 112 --local-size 56 --local-crops 4 \
    --drop-path 0.4 --warmup 0 --steps 1 --rss-at 20,200 --threads "$threads"
fi
