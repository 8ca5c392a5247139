import type { LuaScript } from "../runner.js";
import { prelude } from "./prelude.js";

// The runtime registry: one hash per runtime with a TTL, and an index scored by expiry.

/** Registers a runtime. KEYS: its hash, the index. ARGV: id, info, load, ttl. Reply: {registered at, now}. */
export const putRuntime: LuaScript = {
  name: "runtime_put",
  source: `${prelude}
local now = now_ms()
local ttl = tonumber(ARGV[4])
local reg = redis.call('HGET', KEYS[1], 'reg') or fmt(now)
redis.call('HSET', KEYS[1], 'info', ARGV[2], 'load', ARGV[3], 'reg', reg, 'hb', fmt(now))
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], fmt(now + ttl), ARGV[1])
return {reg, fmt(now)}
`,
};

/** Heartbeat. KEYS: its hash, the index. ARGV: id, load, ttl. Reply: 1, or 0 when unknown. */
export const heartbeatRuntime: LuaScript = {
  name: "runtime_heartbeat",
  source: `${prelude}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local now = now_ms()
local ttl = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'load', ARGV[2], 'hb', fmt(now))
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], fmt(now + ttl), ARGV[1])
return 1
`,
};

/** Live runtimes. KEYS: the index. ARGV: hash key prefix. Reply: per runtime: id, info, load, reg, hb. */
export const listRuntimes: LuaScript = {
  name: "runtime_list",
  source: `${prelude}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. fmt(now_ms()))
local out = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local h = redis.call('HMGET', ARGV[1] .. id, 'info', 'load', 'reg', 'hb')
  if h[1] then
    for _, v in ipairs({id, h[1], h[2], h[3], h[4]}) do out[#out + 1] = v end
  end
end
return out
`,
};

/** Removes a runtime. KEYS: its hash, the index. ARGV: id. Reply: 1 if it was registered. */
export const deleteRuntime: LuaScript = {
  name: "runtime_delete",
  source: `
local existed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return existed
`,
};
