-- PUT realistic callflows whose numbers and patterns no other request uses.
-- Usage: wrk -s put.lua URL -- TOKEN TEMPLATES_FILE RUN_ID
-- Each template line is a request body containing @U@; a request replaces it with
-- RUN_ID, the thread index (2 digits) and the request count (7 digits). Give every
-- wrk run its own RUN_ID so that runs never reuse a number.
local common = require("common")
local templates = {}
local prefix = ""
local count = 0

setup = common.setup

function init(args)
  wrk.method = "PUT"
  wrk.headers["X-Auth-Token"] = args[1]
  wrk.headers["Content-Type"] = "application/json"
  templates = common.read_lines(args[2])
  prefix = string.format("%d%02d", tonumber(args[3]), thread_index or 0)
end

function request()
  count = count + 1
  local unique = prefix .. string.format("%07d", count)
  local body = templates[count % #templates + 1]:gsub("@U@", unique)
  return wrk.format(nil, nil, nil, body)
end

done = common.report
