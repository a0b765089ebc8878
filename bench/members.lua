-- wrk script for run.py's member runs: every request carries the cookies of one of the
-- logged-in members, taken in turn from a file (one Cookie header value a line), so the load
-- is spread over N distinct sessions as real members would make it.
-- The optional second argument is the User-Agent they logged in with (run.py's USER_AGENT).
--   wrk -c16 -d5s -s bench/members.lua http://127.0.0.1:PORT/path -- cookies.txt 'Mozilla/5.0 ...' 
local threads = 0

function setup(thread)
  thread:set("offset", threads * 17)  -- each wrk thread starts at a different member
  threads = threads + 1
end

local cookies = {}
local next_one = 0
local user_agent = nil

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then cookies[#cookies + 1] = line end
  end
  if #cookies == 0 then error("no member cookies in " .. tostring(args[1])) end
  next_one = (offset or 0) % #cookies
  user_agent = args[2]
end

function request()
  next_one = next_one % #cookies + 1
  return wrk.format("GET", nil, {["Cookie"] = cookies[next_one], ["User-Agent"] = user_agent})
end
