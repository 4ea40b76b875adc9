-- wrk script for `cargo xtask bench postgres`: every request changes the
-- password of one of ONE account's credentials (rotating over them), so
-- every write is a change of that account: on PostgreSQL each takes the
-- account's lock, on SQLite the store's one writer. The rate one account's
-- changes can reach (a bulk import into one account, say).
-- $BENCH_AUTH is "auth_id base64(auth_id:token)"; $BENCH_CREDENTIALS a file
-- of the account's credential ids, one a line.
local id, auth = os.getenv("BENCH_AUTH"):match("^(%S+) (%S+)$")
local credentials = {}
for line in io.lines(os.getenv("BENCH_CREDENTIALS")) do
  local c = line:match("%S+")
  if c then credentials[#credentials + 1] = c end
end
local threads = 0
local n = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function request()
  n = n + 1
  local c = credentials[((n + tid * 97) % #credentials) + 1]
  local body = string.format('{"password":"Bench-Passw0rd-%dx%d"}', tid, n)
  return wrk.format("POST", "/v1/Account/" .. id .. "/SipAuth/Credential/" .. c .. "/",
    { ["Authorization"] = "Basic " .. auth, ["Content-Type"] = "application/json" }, body)
end
