-- wrk: POST an activity (a logged call) to each of the accounts in ACCOUNT_IDS in turn.
local accounts = dofile("bench/accounts.lua")
request = function()
  local id = accounts.next()
  return accounts.json("POST", "/api/v1/activities",
                       '{"account_id":"' .. id .. '","kind":"call",' ..
                       '"occurred_at":"2026-11-27T10:00:00Z","subject":"Check-in call",' ..
                       '"outcome":"Benchmark"}')
end
