-- wrk: POST an activity (a logged call) to the account given in ACCOUNT_ID.
local account = os.getenv("ACCOUNT_ID") or "1"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"account_id":"' .. account .. '","kind":"call","occurred_at":"2026-11-27T10:00:00Z","subject":"Check-in call","outcome":"Benchmark"}'
