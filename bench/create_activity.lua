-- wrk: POST an activity (a logged call) to one of the accounts in ACCOUNT_IDS (comma-separated),
-- in turn, so that no single account gathers every call.
local ids = {}
for id in string.gmatch(os.getenv("ACCOUNT_IDS") or "1", "[^,]+") do ids[#ids + 1] = id end
local n = 0
request = function()
  n = n + 1
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", "/api/v1/activities", headers,
                    '{"account_id":"' .. ids[(n % #ids) + 1] .. '","kind":"call",' ..
                    '"occurred_at":"2026-11-27T10:00:00Z","subject":"Check-in call",' ..
                    '"outcome":"Benchmark"}')
end
