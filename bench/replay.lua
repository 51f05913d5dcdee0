-- wrk script: replays the signed requests of one operation (bench/api_workload.py prepare), each
-- thread its own share, in turn. REQUESTS names the Lua file of requests and WRK_THREADS the
-- thread count given to wrk.
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  local all = dofile(os.getenv("REQUESTS"))
  local threads = tonumber(os.getenv("WRK_THREADS"))
  mine = {}
  for i, r in ipairs(all) do
    if (i - 1) % threads == id then
      table.insert(mine, wrk.format(r.method, r.path, r.headers, r.body))
    end
  end
  sent = 0
end

function request()
  sent = sent + 1
  return mine[((sent - 1) % #mine) + 1]
end
