#!/usr/bin/env bash
# The serving figures of the closing notes, on this machine, ViT-S/14 with random weights, real JPEGs from the
# fixtures: model throughput at the service's batch size, saturated REST and gRPC-stream throughput, idle and
# loaded latency, packed vs padded mixed-size batching, and server memory over many requests.
# One JSON object per line on stdout; progress on stderr; the server's log in artifacts/bench-serving/.
# PHASES selects phases (default: all but memory). Phases wrk and h2load drive the service with load generators
# this project did not write (wrk for REST, h2load for gRPC unary Embed; installed with apt when missing), each
# with one photo (IMAGE, default rocket.jpg 640x427), next to embedctl load on the same photo; every saturated
# figure is also printed as a fraction of the raw batch bench of the same run (phase model).
set -euo pipefail
cd "$(dirname "$0")/.."
batch="${BATCH:-8}"
threads="${THREADS:-2}"
phases="${PHASES:-model rest grpc latency wrk h2load mixed}"
photo="${IMAGE:-tests/fixtures/images/good/rocket.jpg}"
images=tests/fixtures/images/good
rest=http://127.0.0.1:18080
grpc=http://127.0.0.1:18081
work=$(mktemp -d)
logs="${LOGS:-artifacts/bench-serving}"
mkdir -p "$logs"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build src/Cli -c Release -v quiet -nologo >&2
dotnet build src/Api -c Release -v quiet -nologo >&2
embedctl=src/Cli/bin/Release/net10.0/linux-x64/embedctl
api=src/Api/bin/Release/net10.0/linux-x64/EmbeddingService.Api.dll

start_server() {
  OMP_NUM_THREADS="$threads" DOTNET_ENVIRONMENT=Production Serilog__MinimumLevel__Default=Warning \
    dotnet "$api" --Serving:BindAddress=127.0.0.1 --Serving:RestPort=18080 --Serving:GrpcPort=18081 \
    --Model:Weights=random:0 --Model:Architecture=vits14 --Model:Device=cpu \
    --Serving:MaxBatchImages="$batch" --Serving:MaxQueueDelayMs=5 --Training:Enabled=false "$@" >> "$logs/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    curl -fs "$rest/health/ready" > /dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || { tail -20 "$logs/server.log" >&2; return 1; }
    sleep 0.2
  done
  return 1
}
stop_server() { kill -TERM "$server"; wait "$server" || true; }
has() { [[ " $phases " == *" $1 "* ]]; }

if has model; then
  echo "model throughput at batch $batch" >&2
  "$embedctl" bench --arch vits14 --weights random:0 --batch "$batch" --res 224 --threads "$threads" --seconds 20 | tee "$work/raw.json"
  "$embedctl" bench --arch vits14 --weights random:0 --batch 1 --res 224 --threads "$threads" --seconds 10 | tee "$work/raw-b1.json"
fi
raw_images_per_s() { if [[ -f "$work/raw.json" ]]; then sed -n 's/.*"images_per_s":\([0-9.]*\).*/\1/p' "$work/raw.json" | head -1; fi; }
# {"phase":..., "images_per_s":..., "of_raw":...} from a phase's requests and seconds (one image per request).
saturated() {
  local phase=$1 requests=$2 seconds=$3 failed=$4 raw
  raw=$(raw_images_per_s)
  awk -v p="$phase" -v n="$requests" -v s="$seconds" -v f="$failed" -v r="${raw:-0}" 'BEGIN {
    ips = (n - f) / s; printf "{\"phase\":\"%s\",\"requests\":%d,\"failed\":%d,\"seconds\":%.2f,\"images_per_s\":%.2f,\"raw_batch_images_per_s\":%.2f,\"of_raw\":%s}\n",
      p, n, f, s, ips, r, (r > 0 ? sprintf("%.3f", ips / r) : "null") }'
}
computed_images() { curl -fs "$rest/metrics" | awk '/^embedding_images_computed(_images)?_total/ { s += $NF } END { printf "%d\n", s }'; }
need() { command -v "$1" > /dev/null || { echo "installing $2 (apt)" >&2; apt-get install -y -qq "$2" > /dev/null; }; }
if has rest || has grpc || has latency || has wrk || has h2load; then
  # JPEGs decode through the system's TurboJPEG when it is there (SIMD; Skia's bundled copy has none): measure with it.
  ldconfig -p | grep -q 'libturbojpeg\.so\.0' || { echo "installing libturbojpeg0 (apt)" >&2; apt-get install -y -qq libturbojpeg0 > /dev/null; }
  start_server
  if has rest; then
    echo "saturated REST" >&2
    "$embedctl" load --mode rest --url "$rest" --images "$images" --concurrency $((2 * batch)) --seconds 30 | tee "$work/rest.json"
  fi
  if has grpc; then
    echo "saturated gRPC stream" >&2
    "$embedctl" load --mode grpc-stream --grpc "$grpc" --images "$images" --concurrency $((2 * batch)) --seconds 30
  fi
  if has latency; then
    echo "idle and loaded latency" >&2
    "$embedctl" load --mode rest --url "$rest" --images "$images" --concurrency 1 --requests 40
    saturated=$(sed -n 's/.*"images_per_s":\([0-9.]*\).*/\1/p' "$work/rest.json")
    for fraction in 0.5 0.9; do
      rate=$(awk "BEGIN { print $saturated * $fraction }")
      "$embedctl" load --mode rest --url "$rest" --images "$images" --rate "$rate" --seconds 30
    done
  fi
  if has latency; then
    echo "idle timeline: client time against the server's stages (Server-Timing), one photo" >&2
    forward=$(if [[ -f "$work/raw-b1.json" ]]; then sed -n 's/.*"latency_ms_p50":\([0-9.]*\).*/\1/p' "$work/raw-b1.json"; fi)
    python3 scripts/latency-timeline.py "$rest" "$photo" 40 "$forward"
    echo "idle gRPC, one photo" >&2
    mkdir -p "$work/photo" && cp "$photo" "$work/photo/"
    "$embedctl" load --mode grpc-stream --grpc "$grpc" --images "$work/photo" --concurrency 1 --requests 40
    echo "idle gRPC unary, one photo, h2load (10 warm-up requests dropped)" >&2
    need h2load nghttp2-client
    python3 scripts/grpc-embed-frame.py "$photo" > "$work/embed.grpc"
    h2load -n 110 -c 1 -m 1 -t 1 --log-file="$work/idle-grpc.log" -d "$work/embed.grpc" -H 'content-type: application/grpc' \
      -H 'te: trailers' "$grpc/embedding.v1.Embedding/Embed" > /dev/null
    python3 - "$work/idle-grpc.log" "$forward" <<'PY'
import json, statistics, sys
ms = [int(line.split()[2]) / 1000 for line in open(sys.argv[1]) if line.strip()][10:]
forward = float(sys.argv[2]) if sys.argv[2] else None
p50 = statistics.median(ms)
print(json.dumps({"phase": "grpc-unary-idle", "requests": len(ms), "p50_ms": round(p50, 2), "p90_ms": round(sorted(ms)[int(len(ms) * 0.9)], 2),
                  "forward_b1_p50_ms": forward, "over_forward_ms": round(p50 - forward, 2) if forward else None}))
PY
  fi
  if has wrk || has h2load; then
    mkdir -p "$work/photo" && cp "$photo" "$work/photo/"
    echo "saturated REST, embedctl load, one photo" >&2
    "$embedctl" load --mode rest --url "$rest" --images "$work/photo" --concurrency $((2 * batch)) --seconds 30
  fi
  if has wrk; then
    need wrk wrk
    echo "saturated REST, wrk" >&2
    before=$(computed_images)
    IMAGE="$photo" wrk -t 1 -c $((2 * batch)) -d "${SECONDS_EXTERNAL:-30}s" --timeout 10s -s scripts/wrk-embed.lua "$rest" | tail -1 > "$work/wrk.json"
    after=$(computed_images)
    requests=$(sed -n 's/.*"requests":\([0-9]*\).*/\1/p' "$work/wrk.json")
    seconds=$(sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p' "$work/wrk.json")
    failed=$(sed -n 's/.*"failed":\([0-9]*\).*/\1/p' "$work/wrk.json")
    cat "$work/wrk.json" >&2
    echo "server computed $((after - before)) images" >&2
    saturated rest-wrk "$requests" "$seconds" "$failed"
  fi
  if has h2load; then
    need h2load nghttp2-client
    echo "saturated gRPC unary Embed, h2load" >&2
    python3 scripts/grpc-embed-frame.py "$photo" > "$work/embed.grpc"
    before=$(computed_images)
    h2load -D "${SECONDS_EXTERNAL:-30}" -c $((2 * batch)) -m 1 -t 1 -d "$work/embed.grpc" -H 'content-type: application/grpc' -H 'te: trailers' \
      "$grpc/embedding.v1.Embedding/Embed" > "$work/h2load.txt"
    after=$(computed_images)
    grep -E '^(finished|requests|status codes)' "$work/h2load.txt" >&2
    requests=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' "$work/h2load.txt")
    # A gRPC error is HTTP 200 with a grpc-status trailer: count what the server actually computed instead.
    failed=$(( requests > after - before ? requests - (after - before) : 0 ))
    echo "server computed $((after - before)) images" >&2
    seconds=$(sed -n 's/^finished in \([0-9.]*\)s.*/\1/p' "$work/h2load.txt")
    saturated grpc-h2load "$requests" "$seconds" "$failed"
  fi
  stop_server
fi
if has mixed; then
  # Packed against padded on the torch backend (padding is only the torch network's), then packed on the default.
  for run in "packed torch" "padded torch" "packed auto"; do
    read -r layout backend <<< "$run"
    echo "mixed aspect ratios, $layout, backend $backend" >&2
    start_server --Serving:Policy=keep-aspect --Serving:BatchLayout="$layout" --Model:Backend="$backend"
    "$embedctl" load --mode rest --url "$rest" --images "$images" --mixed-aspect 64 --concurrency $((2 * batch)) --seconds 30 \
      --save-embeddings "$work/$layout-$backend.npy"
    stop_server
  done
  "$embedctl" compare "$work/packed-torch.npy" "$work/padded-torch.npy"
  "$embedctl" compare "$work/packed-auto.npy" "$work/padded-torch.npy"
fi
if has memory; then
  requests="${REQUESTS:-20000}"
  echo "server memory over $requests requests (resolution ${MEMORY_RES:-224})" >&2
  start_server --Serving:Resolution="${MEMORY_RES:-224}"
  "$embedctl" load --mode rest --url "$rest" --images "$images" --concurrency $((2 * batch)) --requests "$requests" --server-pid "$server"
  stop_server
fi
