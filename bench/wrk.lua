-- One wrk run of a bench scenario (bench/load.mjs starts it): wrk -s bench/wrk.lua URL -- TOKENS STATUS
--   TOKENS  a file with one token a line, sent round robin as "Authorization: Bearer <token>" ('' for none)
--   STATUS  '1': count the response status codes (costs the generator a Lua call and header parsing per
--           response, so the measured rounds leave it off and rely on wrk's count of statuses > 399)
-- Prints one line "BENCH_JSON {...}" with the totals, latency percentiles and status counts.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local requests = {}
local next_index = 0
statuses = {}

function init(args)
  local tokens = args[1] or ''
  if tokens ~= '' then
    -- Every request string built once here, so that request() is a table lookup (wrk's advice).
    for line in io.lines(tokens) do
      if line ~= '' then
        local headers = {}
        for k, v in pairs(wrk.headers) do headers[k] = v end
        headers['Authorization'] = 'Bearer ' .. line
        table.insert(requests, wrk.format(nil, nil, headers))
      end
    end
  end
  if #requests > 0 then
    request = function()
      next_index = next_index % #requests + 1
      return requests[next_index]
    end
  end
  if args[2] == '1' then
    response = function(status)
      statuses[status] = (statuses[status] or 0) + 1
    end
  end
end

function done(summary, latency)
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get('statuses') or {}) do
      counted[status] = (counted[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counted) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"p50Us":%d,"p99Us":%d,"statusOver399":%d,' ..
      '"socketErrors":%d,"timeouts":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write, e.timeout, table.concat(parts, ',')))
end
