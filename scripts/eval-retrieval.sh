#!/usr/bin/env bash
# Copy-detection benchmark of the service as it serves: builds Release, starts the API on 127.0.0.1:18080 and waits for
# /health/ready, runs `embedctl eval retrieval` (index the images, search with seeded edited copies, recall@1, recall@10
# and mAP@k as one JSON object on stdout), then stops the service.
#
#   scripts/eval-retrieval.sh                                   # random weights (the numbers then say nothing), fixture images
#   WEIGHTS=/models/dinov2_vits14_pretrain.pth IMAGES=~/photos scripts/eval-retrieval.sh --transforms crop,jpeg,text
#
# WEIGHTS (default random:0), ARCH (default vits14 for random weights, else inferred), IMAGES (default
# tests/fixtures/images/good), THREADS (default 2); further arguments go to embedctl eval retrieval.
# Progress on stderr; the JSON is also written to artifacts/eval-retrieval/result.json, the server's log beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
weights="${WEIGHTS:-random:0}"
images="${IMAGES:-tests/fixtures/images/good}"
threads="${THREADS:-2}"
rest=http://127.0.0.1:18080
logs="${LOGS:-artifacts/eval-retrieval}"
mkdir -p "$logs"
trap 'kill "${server:-0}" 2>/dev/null || true' EXIT

arch=()
if [[ -n "${ARCH:-}" ]]; then arch=(--Model:Architecture="$ARCH"); elif [[ "$weights" == random:* ]]; then arch=(--Model:Architecture=vits14); fi

dotnet build src/Cli -c Release -v quiet -nologo >&2
dotnet build src/Api -c Release -v quiet -nologo >&2
embedctl=src/Cli/bin/Release/net10.0/linux-x64/embedctl
api=src/Api/bin/Release/net10.0/linux-x64/EmbeddingService.Api.dll

rm -rf "$logs/data"
echo "starting the service ($weights)" >&2
OMP_NUM_THREADS="$threads" DOTNET_ENVIRONMENT=Production Serilog__MinimumLevel__Default=Warning \
  dotnet "$api" --Serving:BindAddress=127.0.0.1 --Serving:RestPort=18080 --Serving:GrpcPort=18081 \
  --Model:Weights="$weights" "${arch[@]}" --Model:Device=cpu --Retrieval:DataDirectory="$logs/data" >> "$logs/server.log" 2>&1 &
server=$!
ready=
for _ in $(seq 1 600); do
  if curl -fs "$rest/health/ready" > /dev/null 2>&1; then ready=1; break; fi
  kill -0 "$server" 2>/dev/null || { tail -20 "$logs/server.log" >&2; exit 1; }
  sleep 0.2
done
[[ -n "$ready" ]] || { echo "eval-retrieval: the service did not become ready" >&2; exit 1; }

echo "benchmark on $images" >&2
status=0
"$embedctl" eval retrieval --url "$rest" --images "$images" --output "$logs/result.json" "$@" || status=$?
kill -TERM "$server"
wait "$server" || true
exit "$status"
