-- SPDX-License-Identifier: MIT
-- wrk script: POST /v1/scan with a rotation of chat messages (generated,
-- fake values; one in four carries personal information).
local token = os.getenv("TOKEN")
local bodies = {
  '{"id":"m1","text":"오늘 저녁에 같이 밥 먹을 사람?","surface":"open_chat"}',
  '{"id":"m2","text":"이 사람 번호 010-1234-5678 다들 연락해","surface":"open_chat"}',
  '{"id":"m3","text":"내일 회의는 3시로 옮겼어요, 자료는 공유 폴더에","surface":"group"}',
  '{"id":"m4","text":"ok see you at the station at 7, bring the tickets","surface":"direct"}',
}
local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/v1/scan", headers, bodies[(n % #bodies) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT req/s %.0f p50 %.3f ms p99 %.3f ms p99.9 %.3f ms requests %d errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout))
end
