#!/usr/bin/env bash
# The engine's CPU backends and kernel choices alternated in one run: ViT-S/14 at 224, batch 1 and 8: the onnxruntime
# backend (the default for CPU fp32), the torch backend in fp32 with --linear-kernel libtorch (MKL GEMM) and onednn,
# and --precision bf16 where the CPU has native bfloat16 (libtorch's bf16 linear is oneDNN's already), and torch/onednn
# with OMP_WAIT_POLICY=PASSIVE (OpenMP workers sleep instead of spinning between parallel regions: far faster on a
# busy, shared CPU; what it costs on a quiet one is the question this run answers). ROUNDS rounds
# (default 3), the order rotating each round so drift favours none; prints one line per run and the medians.
#   ROUNDS=3 SECONDS_PER_RUN=12 THREADS=2 scripts/bench-engine-kernels.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${ROUNDS:-3}" seconds="${SECONDS_PER_RUN:-12}" threads="${THREADS:-2}"
dotnet build src/Cli -c Release -v quiet -nologo >&2
embedctl=src/Cli/bin/Release/net10.0/linux-x64/embedctl
variants=("onnxruntime onednn fp32 spin" "torch libtorch fp32 spin" "torch onednn fp32 spin" "torch onednn fp32 passive")
grep -qw -e avx512_bf16 -e amx_bf16 /proc/cpuinfo && variants+=("torch libtorch bf16 spin")
results=$(mktemp)
trap 'rm -f "$results"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for round in $(seq 1 "$rounds"); do
  for batch in 1 8; do
    for i in "${!variants[@]}"; do
      read -r backend kernel precision wait <<< "${variants[$(( (i + round) % ${#variants[@]} ))]}"
      policy=(env -u OMP_WAIT_POLICY)
      [ "$wait" = passive ] && policy=(env OMP_WAIT_POLICY=PASSIVE)
      ips=$("${policy[@]}" "$embedctl" bench --arch vits14 --weights random:0 --batch "$batch" --res 224 --threads "$threads" \
        --seconds "$seconds" --backend "$backend" --linear-kernel "$kernel" --precision "$precision" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["images_per_s"])')
      [ "$backend" = onnxruntime ] && name=onnxruntime-fp32 || name="$kernel-$precision-$wait"
      echo "round $round batch $batch $name $ips img/s (load $(cut -d' ' -f1 /proc/loadavg))" >&2
      echo "$batch $name $ips" >> "$results"
    done
  done
done
python3 - "$results" <<'PY'
import statistics, sys, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    batch, variant, ips = line.split()
    runs[(int(batch), variant)].append(float(ips))
for batch in sorted({b for b, _ in runs}):
    base = statistics.median(runs[(batch, "libtorch-fp32-spin")])
    for (b, variant), values in sorted(runs.items()):
        if b == batch:
            median = statistics.median(values)
            print(f"batch {batch} {variant:<20} median {median:7.2f} img/s  x{median / base:.2f} of libtorch-fp32-spin  runs {values}")
PY
