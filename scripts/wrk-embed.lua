-- wrk script: POST /v1/embed with one image as a raw body (IMAGE, its Content-Type from the extension).
-- Counts non-200 answers so that a run serving errors fast cannot pass for throughput.
local path = os.getenv("IMAGE") or error("IMAGE is not set")
local file = assert(io.open(path, "rb"))
local body = file:read("*a")
file:close()
local types = { jpg = "image/jpeg", jpeg = "image/jpeg", png = "image/png", webp = "image/webp", bmp = "image/bmp", gif = "image/gif" }
local ext = path:match("%.(%w+)$"):lower()
wrk.method = "POST"
wrk.path = "/v1/embed"
wrk.body = body
wrk.headers["Content-Type"] = types[ext] or error("unknown image extension " .. ext)

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) failed = 0 end
function response(status, headers, body) if status ~= 200 then failed = failed + 1 end end
function done(summary, latency, requests)
  local failures = 0
  for _, t in ipairs(threads) do failures = failures + t:get("failed") end
  io.write(string.format('{"requests":%d,"seconds":%.3f,"failed":%d,"p50_ms":%.2f,"p99_ms":%.2f}\n',
    summary.requests, summary.duration / 1e6, failures, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3))
end
