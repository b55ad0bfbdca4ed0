-- Shared by the wrk write scenarios: the accounts in ACCOUNT_IDS (comma-separated), taken in
-- turn so that no single account gathers every write, and a JSON request that keeps the
-- Authorization header bench/run gives wrk. Loaded with dofile from the repository's root.
local accounts = {ids = {}, n = 0}
for id in string.gmatch(os.getenv("ACCOUNT_IDS") or "1", "[^,]+") do
  accounts.ids[#accounts.ids + 1] = id
end

-- The next account id, and how many have been taken so far.
function accounts.next()
  accounts.n = accounts.n + 1
  return accounts.ids[(accounts.n % #accounts.ids) + 1], accounts.n
end

function accounts.json(method, path, body)
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/json"
  return wrk.format(method, path, headers, body)
end

return accounts
