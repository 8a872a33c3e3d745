#!/usr/bin/env bash
# The serving figures of the closing notes, on this machine, ViT-S/14 with random weights, real JPEGs from the
# fixtures: model throughput at the service's batch size, saturated REST and gRPC-stream throughput, idle and
# loaded latency, packed vs padded mixed-size batching, and server memory over many requests.
# One JSON object per line on stdout; progress on stderr; the server's log in artifacts/bench-serving/.
# PHASES selects phases (default: all but memory).
set -euo pipefail
cd "$(dirname "$0")/.."
batch="${BATCH:-8}"
threads="${THREADS:-2}"
phases="${PHASES:-model rest grpc latency mixed}"
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
    --Serving:MaxBatchImages="$batch" --Serving:MaxQueueDelayMs=5 "$@" >> "$logs/server.log" 2>&1 &
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
  "$embedctl" bench --arch vits14 --weights random:0 --batch "$batch" --res 224 --threads "$threads" --seconds 20
  "$embedctl" bench --arch vits14 --weights random:0 --batch 1 --res 224 --threads "$threads" --seconds 10
fi
if has rest || has grpc || has latency; then
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
  stop_server
fi
if has mixed; then
  for layout in packed padded; do
    echo "mixed aspect ratios, $layout" >&2
    start_server --Serving:Policy=keep-aspect --Serving:BatchLayout="$layout"
    "$embedctl" load --mode rest --url "$rest" --images "$images" --mixed-aspect 64 --concurrency $((2 * batch)) --seconds 30 \
      --save-embeddings "$work/$layout.npy"
    stop_server
  done
  "$embedctl" compare "$work/packed.npy" "$work/padded.npy"
fi
if has memory; then
  requests="${REQUESTS:-20000}"
  echo "server memory over $requests requests (resolution ${MEMORY_RES:-224})" >&2
  start_server --Serving:Resolution="${MEMORY_RES:-224}"
  "$embedctl" load --mode rest --url "$rest" --images "$images" --concurrency $((2 * batch)) --requests "$requests" --server-pid "$server"
  stop_server
fi
