-- GET the paths of a file in turn.
-- Usage: wrk -s get.lua URL -- TOKEN PATHS_FILE   (run with bench/lua as cwd)
local common = require("common")
local requests = {}
local position = 0

setup = common.setup

function init(args)
  wrk.headers["X-Auth-Token"] = args[1]
  for _, path in ipairs(common.read_lines(args[2])) do
    requests[#requests + 1] = wrk.format("GET", path)
  end
  -- Threads start at different paths, so they do not fetch in lockstep.
  position = ((thread_index or 0) * 7919) % #requests
end

function request()
  position = position % #requests + 1
  return requests[position]
end

done = common.report
