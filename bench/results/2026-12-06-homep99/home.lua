-- Rotates the seeded tokens across requests, as starling-bench http does.
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do tokens[#tokens + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/timelines/home?limit=20",
    { ["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1] })
end
-- No response callback: wrk reports non-2xx answers itself, and a callback
-- would copy every body into Lua.
