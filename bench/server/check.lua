-- SPDX-License-Identifier: MIT
-- wrk script: GET /v1/sanctions/check over many accounts (1 in 8 sanctioned
-- in the benchmark's store). TOKEN comes from the environment.
local token = os.getenv("TOKEN")
local n = 0
request = function()
  n = n + 1
  local path = string.format("/v1/sanctions/check?account=user:b%d&scope=openchat_access", n % 4096)
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT req/s %.0f p50 %.3f ms p99 %.3f ms p99.9 %.3f ms requests %d errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout))
end
