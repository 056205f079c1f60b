-- wrk script: every request associates 100 numbers never sent before (inventory `all`), so every
-- answer is a 201 and the emulator does the full associate work each time.
-- wrk -t2 -c32 -d10s -s associate.lua http://127.0.0.1:18787
local counter = 0
local next_thread = 0
local enterprise = "6a09cdc3-8948-47f0-aa62-74ac943d6c58"

function setup(thread)
  -- Each thread gets its own area code, so no two requests carry the same number.
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  wrk.method = "POST"
  wrk.path = "/enterprises/" .. enterprise .. "/reputation/numbers"
  wrk.headers["Authorization"] = "Bearer demo-key"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local numbers = {}
  for i = 1, 100 do
    -- thread_id picks the area code; the counter walks exchanges 200-999 and lines 0000-9999.
    local n = counter
    counter = counter + 1
    local exchange = 200 + math.floor(n / 10000) % 800
    local line = n % 10000
    local npa = ({ "603", "212", "415", "312" })[thread_id % 4 + 1]
    numbers[i] = string.format('"+1%s%03d%04d"', npa, exchange, line)
  end
  return wrk.format(nil, nil, nil, '{"phone_numbers":[' .. table.concat(numbers, ",") .. "]}")
end

local unexpected = 0
function response(status, headers, body)
  if status ~= 201 then
    unexpected = unexpected + 1
  end
end
