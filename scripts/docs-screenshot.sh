#!/usr/bin/env bash
# The API reference at /docs as a real browser shows it: starts the service, waits until headless Chromium has
# rendered the reference (its DOM holds the operations' summaries), and saves a screenshot.
# Usage: scripts/docs-screenshot.sh [out.png]   (default docs/api-reference.png)
# CONFIGURATION=Debug reuses a Debug build; PORT picks the REST port (the gRPC port is PORT+1).
# Installs chromium with apt-get when it is missing (sudo when not root).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/api-reference.png}"
configuration="${CONFIGURATION:-Release}"
port="${PORT:-18090}"
url="http://127.0.0.1:$port/docs/"
work=$(mktemp -d)
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  sudo=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $sudo apt-get install -y chromium >&2
  browser=$(command -v chromium)
fi

dotnet build src/Api -c "$configuration" -v quiet -nologo >&2
dotnet "src/Api/bin/$configuration/net10.0/linux-x64/EmbeddingService.Api.dll" \
  --Serving:BindAddress=127.0.0.1 --Serving:RestPort="$port" --Serving:GrpcPort=$((port + 1)) \
  --Model:Weights=random:0 --Model:Architecture=vits14 --Model:Device=cpu --Retrieval:DataDirectory="$work/data" \
  > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 120); do
  curl -sf "http://127.0.0.1:$port/health/live" > /dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.5
done

chrome() {
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1440,1600 --virtual-time-budget=20000 "$@" "$url" 2> "$work/chromium.log"
}
# The reference is drawn by script from /openapi/v1.json: rendered once the operations' summaries are in the DOM.
rendered=false
for _ in 1 2 3; do
  if chrome --dump-dom | grep -q "Embed images"; then rendered=true; break; fi
done
$rendered || { echo "the reference at $url did not render its operations" >&2; cat "$work/chromium.log" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
chrome --screenshot="$(realpath -m "$out")" > /dev/null
echo "$out: $(stat -c %s "$out") bytes" >&2
