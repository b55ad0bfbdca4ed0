-- wrk: POST a 100 KB PDF to each of the accounts in ACCOUNT_IDS in turn, each with bytes of its
-- own (a counter at the front), so that every upload stores new content. Described 'Benchmark',
-- so that bench/run removes them afterwards.
local accounts = dofile("bench/accounts.lua")
local body = "%PDF-1.7\n" .. string.rep("0123456789abcdef", 100 * 1024 / 16)
request = function()
  local id, n = accounts.next()
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Content-Type"] = "application/octet-stream"
  return wrk.format("POST", "/api/v1/accounts/" .. id ..
                    "/attachments?file_name=bench.pdf&description=Benchmark",
                    headers, "%PDF-1.7 " .. n .. "\n" .. body)
end
