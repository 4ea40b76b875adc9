-- wrk script for `cargo xtask bench`: every request creates a new SIP
-- credential. Requests rotate over the accounts listed in $BENCH_ACCOUNTS
-- ("auth_id base64(auth_id:token)" per line) so that the 200-per-account
-- quota is not what gets measured; $BENCH_RUN keeps usernames unique.
local accounts = {}
for line in io.lines(os.getenv("BENCH_ACCOUNTS")) do
  local id, auth = line:match("^(%S+) (%S+)$")
  if id then accounts[#accounts + 1] = { id = id, auth = auth } end
end
local run = os.getenv("BENCH_RUN") or "r"
local threads = 0
local n = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function request()
  n = n + 1
  local a = accounts[(n % #accounts) + 1]
  local body = string.format('{"username":"%s%dx%d","password":"Bench-Passw0rd-42"}', run, tid, n)
  return wrk.format("POST", "/v1/Account/" .. a.id .. "/SipAuth/Credential/",
    { ["Authorization"] = "Basic " .. a.auth, ["Content-Type"] = "application/json" }, body)
end
