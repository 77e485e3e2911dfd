-- One wrk run of a bench scenario (bench/load.mjs starts it): wrk -s bench/wrk.lua URL -- TOKENS LIMIT STATUS
--   TOKENS  a file with one token a line, sent round robin as "Authorization: Bearer <token>" ('' for none)
--   LIMIT   stop after this many requests (0: run for the duration)
--   STATUS  '1': count the response status codes (costs the generator a Lua call and header parsing per
--           response, so the measured rounds leave it off and rely on wrk's count of statuses > 399)
-- Prints one line "BENCH_JSON {...}" with the totals, latency percentiles and status counts.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local requests = {}
local count = 0
local next_index = 0
local limit = 0
statuses = {}

function init(args)
  local tokens = args[1] or ''
  limit = tonumber(args[2] or '0') or 0
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
  if #requests > 0 or limit > 0 then
    local static = wrk.format()
    request = function()
      count = count + 1
      if limit > 0 and count > limit then wrk.thread:stop() end
      if #requests == 0 then return static end
      next_index = next_index % #requests + 1
      return requests[next_index]
    end
  end
  if args[3] == '1' then
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
