#!/usr/bin/env bash
# The jobs figures of the closing note, on this machine: the same pretraining run (the Fashion-MNIST example cut to
# STEPS steps, no evaluation) submitted as a job through the admin API (which supervises its local trainer worker)
# and run by `embedctl train`, alternated ROUNDS times: the job overhead. (Job-read latency under a running job and the
# hot swap: scripts/bench-admin.sh.) One JSON object per line on stdout; progress on stderr; logs in artifacts/bench-jobs/.
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${STEPS:-200}"
rounds="${ROUNDS:-2}"
rest=http://127.0.0.1:18180
key=bench-admin-key
logs="${LOGS:-artifacts/bench-jobs}"
work=$(mktemp -d)
mkdir -p "$logs"
trap 'kill "${server:-0}" 2>/dev/null || true; wait "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

[[ -d data/fashion-mnist/train ]] || scripts/fashion-mnist.sh >&2
command -v jq > /dev/null || apt-get install -y -qq jq > /dev/null
dotnet build src/Cli -c Release -v quiet -nologo >&2
dotnet build src/Api -c Release -v quiet -nologo >&2
embedctl=src/Cli/bin/Release/net10.0/linux-x64/embedctl
api=src/Api/bin/Release/net10.0/linux-x64/EmbeddingService.Api.dll

jq --argjson steps "$steps" '.optim.steps = $steps | .checkpoints.every_steps = 100 | del(.evaluation) | .execution.max_minutes = null' \
  examples/fashion-mnist/pretrain.json > "$work/spec.json"

# The API with its local worker; the repository is the worker's data root, so the example's relative paths resolve.
DOTNET_ENVIRONMENT=Production Serilog__MinimumLevel__Default=Warning \
  dotnet "$api" --Serving:BindAddress=127.0.0.1 --Serving:RestPort=18180 --Serving:GrpcPort=18181 \
  --Model:Weights=random:0 --Model:Architecture=vits14 --Model:Device=cpu --Auth:AdminKeys:0="$key" \
  --Training:DataRoot="$PWD" --Training:DataDirectory="$work/trainer" --Training:ModelCacheDirectory="$work/model-cache" \
  --Training:LocalGrpcPort=18191 --Training:LocalHttpPort=18192 >> "$logs/api.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -fs "$rest/health/ready" > /dev/null 2>&1 && break; sleep 0.2; done
admin() { curl -fsS -H "X-API-Key: $key" "$@"; }

# Median seconds per step of a metrics.jsonl.
median_step() { jq -s '[.[] | select(.step_seconds != null) | .step_seconds] | sort | .[length / 2 | floor]' "$1"; }

submit_and_wait() {
  local id state
  id=$(jq -n --slurpfile spec "$work/spec.json" '{kind: "pretrain", spec: $spec[0]}' | admin -H 'Content-Type: application/json' -d @- "$rest/v1/admin/jobs" | jq -r .id)
  while true; do
    state=$(admin "$rest/v1/admin/jobs/$id" | jq -r .state)
    case "$state" in succeeded) break ;; failed|cancelled) echo "job $id $state" >&2; exit 1 ;; esac
    sleep 1
  done
  echo "$id"
}

for round in $(seq 1 "$rounds"); do
  echo "round $round: job through the API and its worker" >&2
  id=$(submit_and_wait)
  job=$(admin "$rest/v1/admin/jobs/$id")
  # From its first running transition to succeeded, by the worker's own clock.
  wall=$(python3 -c 'import json, sys; from datetime import datetime as d
h = json.load(sys.stdin)["history"]; at = lambda s: d.fromisoformat(next(t["at"] for t in h if t["state"] == s))
print(round((at("succeeded") - at("running")).total_seconds(), 1))' <<<"$job")
  admin "$rest/v1/admin/jobs/$id/artifacts/metrics.jsonl" > "$work/job-$round.jsonl"
  echo "{\"phase\":\"job\",\"round\":$round,\"steps\":$steps,\"wall_s\":$wall,\"median_step_s\":$(median_step "$work/job-$round.jsonl")}"

  echo "round $round: embedctl train" >&2
  started=$(date +%s.%N)
  "$embedctl" train pretrain --config "$work/spec.json" --out "$work/cli-$round" >> "$logs/cli.log" 2>&1
  wall=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
  echo "{\"phase\":\"embedctl\",\"round\":$round,\"steps\":$steps,\"wall_s\":$wall,\"median_step_s\":$(median_step "$work/cli-$round/metrics.jsonl")}"
done
