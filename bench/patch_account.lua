-- wrk: PATCH one of the accounts in ACCOUNT_IDS (comma-separated), in turn, its segment
-- alternating between A and B (no If-Match: the last write wins, as a form saved without a
-- version would).
local ids = {}
for id in string.gmatch(os.getenv("ACCOUNT_IDS") or "1", "[^,]+") do ids[#ids + 1] = id end
local n = 0
request = function()
  n = n + 1
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
  local segment = (math.floor(n / #ids) % 2 == 0) and "A" or "B"
  return wrk.format("PATCH", "/api/v1/accounts/" .. ids[(n % #ids) + 1], headers,
                    '{"segment":"' .. segment .. '"}')
end
