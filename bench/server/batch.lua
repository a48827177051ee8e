-- SPDX-License-Identifier: MIT
-- wrk script: POST /v1/scan/batch with 100 messages per request (the same
-- rotation as scan.lua).
local token = os.getenv("TOKEN")
local msgs = {
  '{"text":"오늘 저녁에 같이 밥 먹을 사람?","surface":"open_chat"}',
  '{"text":"이 사람 번호 010-1234-5678 다들 연락해","surface":"open_chat"}',
  '{"text":"내일 회의는 3시로 옮겼어요, 자료는 공유 폴더에","surface":"group"}',
  '{"text":"ok see you at the station at 7, bring the tickets","surface":"direct"}',
}
local parts = {}
for i = 1, 100 do parts[i] = msgs[(i % #msgs) + 1] end
local body = '{"messages":[' .. table.concat(parts, ",") .. ']}'
local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
request = function()
  return wrk.format("POST", "/v1/scan/batch", headers, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT req/s %.0f p50 %.3f ms p99 %.3f ms p99.9 %.3f ms requests %d errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout))
end
