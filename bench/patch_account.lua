-- wrk: PATCH each of the accounts in ACCOUNT_IDS in turn, its segment alternating between A and B
-- (no If-Match: the last write wins, as a form saved without a version would).
local accounts = dofile("bench/accounts.lua")
request = function()
  local id, n = accounts.next()
  local segment = (math.floor(n / #accounts.ids) % 2 == 0) and "A" or "B"
  return accounts.json("PATCH", "/api/v1/accounts/" .. id, '{"segment":"' .. segment .. '"}')
end
