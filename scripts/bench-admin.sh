#!/usr/bin/env bash
# The admin API's figures: latency of GET /v1/admin/jobs/{id} while a job runs (p50/p99 over READS requests), and a hot
# swap under concurrent /v1/embed load (activate -> first answer of the new model, requests failed during it), both
# ways (activate a freshly trained tiny model, then roll back to the configured one).
# Runs the API (which starts its own trainer worker) on ports 18180/18181 (worker 18191/18192), random ViT-S/14 served.
# API=path/to/EmbeddingService.Api.dll to use a given build (e.g. the release output); default: a Release build.
# One JSON object per line on stdout; the API's and the worker's logs in artifacts/bench-admin/.
set -euo pipefail
cd "$(dirname "$0")/.."
reads="${READS:-300}"
clients="${CLIENTS:-4}"
rest=http://127.0.0.1:18180
work=$(mktemp -d)
logs="${LOGS:-artifacts/bench-admin}"
mkdir -p "$logs"
trap 'kill -TERM "${server:-0}" 2>/dev/null; wait "${server:-0}" 2>/dev/null || true; cp "$work"/worker/worker.log "$logs/" 2>/dev/null || true; rm -rf "$work"' EXIT

api="${API:-}"
if [[ -z "$api" ]]; then
  dotnet build src/Api -c Release -v quiet -nologo >&2
  api=src/Api/bin/Release/net10.0/linux-x64/EmbeddingService.Api.dll
fi

env DOTNET_ENVIRONMENT=Production Serilog__MinimumLevel__Default=Warning Serilog__MinimumLevel__Override__EmbeddingService.Api.Training=Information \
  dotnet "$api" --Serving:BindAddress=127.0.0.1 --Serving:RestPort=18180 --Serving:GrpcPort=18181 \
  --Model:Weights=random:0 --Model:Architecture=vits14 --Model:Device=cpu \
  --Training:DataDirectory="$work/worker" --Training:DataRoot="$work/data" --Training:ModelCacheDirectory="$work/cache" \
  --Training:LocalGrpcPort=18191 --Training:LocalHttpPort=18192 > "$logs/api.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  # Ready: the configured model is loaded and warm, so the swap phases start from a serving model.
  curl -fs "$rest/health/ready" > /dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { tail -20 "$logs/api.log" >&2; exit 1; }
  sleep 0.2
done

READS="$reads" CLIENTS="$clients" REST="$rest" IMAGE=tests/fixtures/images/good/rocket.jpg python3 - <<'PY'
import base64, json, os, threading, time, urllib.request, urllib.error

rest, reads, clients = os.environ["REST"], int(os.environ["READS"]), int(os.environ["CLIENTS"])
image = base64.b64encode(open(os.environ["IMAGE"], "rb").read()).decode()

def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(rest + path, data=data, method=method, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()

def spec(steps):
    return {"kind": "pretrain", "seed": 3, "batch_size": 4, "data": {"train": "synthetic"},
            "model": {"embed_dim": 32, "depth": 2, "num_heads": 2, "patch_size": 14},
            "heads": {"prototypes": 64, "hidden_dim": 32, "bottleneck_dim": 16},
            "crops": {"global_size": 56, "local_size": 28, "local_crops_number": 2},
            "optim": {"steps": steps, "warmup_steps": 2}, "checkpoints": {"every_steps": 50, "keep_last": 2},
            "execution": {"threads": 1}}

def wait(job_id, done):
    while True:
        status, job = call("GET", f"/v1/admin/jobs/{job_id}")
        if done(job): return job
        time.sleep(0.2)

def pct(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p / 100 * len(values)))], 2)

# 1. Job reads while a job runs.
status, long_job = call("POST", "/v1/admin/jobs", {"kind": "pretrain", "spec": spec(100000)})
assert status == 201, long_job
wait(long_job["id"], lambda j: j["state"] == "running" and j["step"] >= 2)
times = []
for _ in range(reads):
    start = time.perf_counter()
    status, _ = call("GET", f"/v1/admin/jobs/{long_job['id']}")
    times.append((time.perf_counter() - start) * 1000)
    assert status == 200
print(json.dumps({"phase": "job_reads", "requests": reads, "p50_ms": pct(times, 50), "p99_ms": pct(times, 99), "max_ms": round(max(times), 2),
                  "load_avg": os.getloadavg()}), flush=True)
call("POST", f"/v1/admin/jobs/{long_job['id']}/cancel")
wait(long_job["id"], lambda j: j["state"] == "cancelled")

# 2. Hot swap under load, there and back.
status, tiny = call("POST", "/v1/admin/jobs", {"kind": "pretrain", "spec": spec(4)})
wait(tiny["id"], lambda j: j["state"] in ("succeeded", "failed"))
served, failures, stop = [], [], threading.Event()
clock = time.perf_counter
def load():
    while not stop.is_set():
        status, body = call("POST", "/v1/embed", {"inputs": [{"image": image}]})
        (served.append((clock(), body["dim"])) if status == 200 else failures.append((clock(), status, body)))
threads = [threading.Thread(target=load) for _ in range(clients)]
for t in threads: t.start()
time.sleep(3)
for model_id, dim in ((tiny["id"], 32), ("configured", 384)):
    before, failed_before = len(served), len(failures)
    start = clock()
    status, answer = call("POST", f"/v1/admin/models/{model_id}/activate")
    answered = clock()
    # Until the new model has answered (requests queued on the old one finish first), or a minute.
    while clock() - start < 60 and not any(d == dim and at >= start for at, d in served[before:]):
        time.sleep(0.05)
    time.sleep(1)
    first_new = min((at for at, d in served[before:] if d == dim and at >= start), default=None)
    print(json.dumps({"phase": "swap", "to": model_id, "status": status, "activate_ms": round((answered - start) * 1000, 1),
                      "switch_seconds_reported": answer.get("switch_seconds") if isinstance(answer, dict) else None,
                      "first_new_answer_ms": round((first_new - start) * 1000, 1) if first_new else None,
                      "requests": len(served) - before + len(failures) - failed_before, "failed": len(failures) - failed_before,
                      "concurrent_clients": clients, "load_avg": os.getloadavg()}), flush=True)
stop.set()
for t in threads: t.join()
print(json.dumps({"phase": "swap_total", "requests": len(served) + len(failures), "failed": len(failures)}), flush=True)
PY
