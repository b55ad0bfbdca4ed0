-- wrk: PATCH the account in ACCOUNT_ID, its segment alternating between A and B (no If-Match: the
-- last write wins, as a form saved without a version would).
local account = os.getenv("ACCOUNT_ID") or "1"
local n = 0
request = function()
  n = n + 1
  local segment = (n % 2 == 0) and "A" or "B"
  return wrk.format("PATCH", nil, {["Content-Type"] = "application/json"},
                    '{"segment":"' .. segment .. '"}')
end
