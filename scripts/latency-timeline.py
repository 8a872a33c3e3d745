"""One idle request at a time to POST /v1/embed over a kept-alive connection: the client's wall time per request
next to the server's own stages (its Server-Timing header), as one JSON line of medians. "outside_handler_ms" is the
client's time minus the handler's (app): Kestrel, response serialisation, the network stack and this client.

  python3 scripts/latency-timeline.py http://127.0.0.1:18080 tests/fixtures/images/good/rocket.jpg [requests] [forward_b1_p50_ms]
"""
import http.client
import json
import statistics
import sys
import time
from urllib.parse import urlparse

url, image_path = sys.argv[1], sys.argv[2]
requests = int(sys.argv[3]) if len(sys.argv) > 3 else 40
forward_ms = float(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[4] else None
types = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "bmp": "image/bmp", "gif": "image/gif"}
body = open(image_path, "rb").read()
headers = {"Content-Type": types[image_path.rsplit(".", 1)[-1].lower()]}
address = urlparse(url)
connection = http.client.HTTPConnection(address.hostname, address.port)

samples = []
for i in range(requests + 5):  # the first 5 warm the connection and the server's paths up
    started = time.perf_counter()
    connection.request("POST", "/v1/embed", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        sys.exit(f"request {i}: HTTP {response.status}")
    stages = {name: float(duration) for name, duration in
              (entry.strip().split(";dur=") for entry in response.getheader("Server-Timing").split(","))}
    if i >= 5:
        samples.append({"client_ms": elapsed, **{f"{name}_ms": value for name, value in stages.items()}})
    time.sleep(0.05)  # idle between requests, as a lone caller would be

median = {key: round(statistics.median(s[key] for s in samples), 2) for key in samples[0]}
median["outside_handler_ms"] = round(statistics.median(s["client_ms"] - s["app_ms"] for s in samples), 2)
report = {"phase": "timeline", "requests": requests, "image": image_path.rsplit("/", 1)[-1], "median": median,
          "client_p90_ms": round(statistics.quantiles([s["client_ms"] for s in samples], n=10)[-1], 2)}
if forward_ms is not None:
    report["forward_b1_p50_ms"] = forward_ms
    report["over_forward_ms"] = round(median["client_ms"] - forward_ms, 2)
print(json.dumps(report))
