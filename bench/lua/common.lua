-- Helpers shared by the scenario scripts. wrk loads each script once per thread,
-- so every thread has its own copy of this module; `done` runs once at the end.
local common = {}

-- Return the non-empty lines of a file.
function common.read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then
      lines[#lines + 1] = line
    end
  end
  if #lines == 0 then
    error("no lines in " .. path)
  end
  return lines
end

-- Number the threads 0, 1, ... in their own `thread_index` global.
local threads = 0
function common.setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

-- Print the run's totals and latency percentiles (microseconds) as one JSON line.
function common.report(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"max":%.0f,"p50":%.0f,"p90":%.0f,"p99":%.0f}}\n',
    summary.requests, summary.duration, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end

return common
