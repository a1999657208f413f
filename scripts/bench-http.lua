-- wrk script of scripts/bench-http.sh. BENCH_TOKEN: the bearer token (none: no header);
-- BENCH_SEND=1: POST /api/v1/messages/send to the benchmark's contacts in turn (BENCH_CONTACTS of
-- them, +1 415 555 1000 onwards); otherwise the URL's GET. Prints one summary line when done.
local token = os.getenv("BENCH_TOKEN")
local send = os.getenv("BENCH_SEND") == "1"
local contacts = tonumber(os.getenv("BENCH_CONTACTS") or "5000")
local sent = 0

if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
if send then
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  if not send then
    return wrk.format()
  end
  sent = sent + 1
  local body = string.format('{"phoneNumber":"+1415555%04d","message":"Your order %d is ready"}',
    1000 + sent % contacts, sent)
  return wrk.format(nil, "/api/v1/messages/send", nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "result: %d requests in %.1f s, %.0f requests/s, errors %d (non-2xx %d, connect %d, read %d, write %d, timeout %d), latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    summary.requests, seconds, summary.requests / seconds,
    e.status + e.connect + e.read + e.write + e.timeout, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
