-- PATCH one field (`name`) of the callflows of a file in turn.
-- Usage: wrk -s patch.lua URL -- TOKEN PATHS_FILE RUN_ID
local common = require("common")
local paths = {}
local prefix = ""
local count = 0
local position = 0

setup = common.setup

function init(args)
  wrk.headers["X-Auth-Token"] = args[1]
  wrk.headers["Content-Type"] = "application/json"
  paths = common.read_lines(args[2])
  prefix = string.format("%d-%d", tonumber(args[3]), thread_index or 0)
  position = ((thread_index or 0) * 7919) % #paths
end

function request()
  count = count + 1
  position = position % #paths + 1
  local body = string.format('{"data":{"name":"Renamed %s-%d"}}', prefix, count)
  return wrk.format("PATCH", paths[position], nil, body)
end

done = common.report
