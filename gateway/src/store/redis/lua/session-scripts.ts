import type { LuaScript } from "../runner.js";
import { commitFunction, prelude } from "./prelude.js";

// Sessions, affinity and session tools. Replies are arrays whose first item says what happened.

/**
 * Creates a session with its initial variables and its tombstone. ARGV: id, ttl ms, max sessions,
 * max variables, session data, number of writes, remember ms, org, then the writes as the commit
 * function reads them.
 * Reply: {'exists'} | {'taken'} (another org's session had the id lately) | {'full'} | the commit's
 * reply (its 'now' is the creation time) + incarnation.
 */
export const createSession: LuaScript = {
  name: "session_create",
  source: `${prelude}${commitFunction}
local sid, ttl = ARGV[1], tonumber(ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
local tomb = redis.call('GET', KEYS[7])
if tomb and string.match(tomb, '^%S+ %S+ %S+ (.*)$') ~= ARGV[8] then return {'taken'} end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
prune(KEYS[5], KEYS[6], now)
if redis.call('ZCARD', KEYS[5]) >= tonumber(ARGV[3]) then return {'full'} end
-- Leftovers of an earlier life of this id expire with it, but make sure.
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
local incarnation = now_us(time)
local r = commit(now, incarnation, tonumber(ARGV[4]), 1, 9, tonumber(ARGV[6]), 0, false)
if r[1] ~= 'ok' then return r end
redis.call('HSET', KEYS[1], 'd', ARGV[5], 'ca', incarnation, 'ttl', ttl, 'seq', 0, 'g', ARGV[7])
redis.call('SET', KEYS[7], 'e ' .. ARGV[2] .. ' ' .. ARGV[7] .. ' ' .. ARGV[8])
local expires = touch(sid, ttl, now, ARGV[7])
redis.call('ZADD', KEYS[6], 0, sid)
r[#r + 1] = incarnation
r[#r + 1] = fmt(expires)
return r
`,
};

/**
 * Reads a session, extending it when ARGV[2] is '1'. Reply: the gone() reply (with the
 * tombstone, if any) | {'ok', data, incarnation, ttl, runtime or '', expires}.
 */
export const readSession: LuaScript = {
  name: "session_read",
  source: `${prelude}
local h = redis.call('HMGET', KEYS[1], 'd', 'ca', 'ttl', 'rt', 'g')
if not h[1] then return gone(KEYS[7]) end
local expires
if ARGV[2] == '1' then
  expires = fmt(touch(ARGV[1], tonumber(h[3]), now_ms(), h[5]))
else
  expires = redis.call('ZSCORE', KEYS[5], ARGV[1]) or fmt(now_ms() + redis.call('PTTL', KEYS[1]))
end
return {'ok', h[1], h[2], h[3], h[4] or '', expires}
`,
};

/**
 * Removes a session and everything it owns, and marks its tombstone cleaned up for the time it
 * remembers ended sessions (an absent session's tombstone stays as it is). Reply: {existed 0/1, variables it had}.
 */
export const deleteSession: LuaScript = {
  name: "session_delete",
  source: `
local existed = redis.call('EXISTS', KEYS[1])
local remember = redis.call('HGET', KEYS[1], 'g')
local count = redis.call('HLEN', KEYS[2])
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
local tomb = remember and redis.call('GET', KEYS[7])
if tomb then redis.call('SET', KEYS[7], 'c' .. string.sub(tomb, 2), 'PX', remember) end
return {existed, existed == 1 and count or 0}
`,
};

/**
 * A page of live sessions by id. KEYS: expiry index, id index. ARGV: key prefix, last id of the
 * previous page or '', page size. Reply: {'ok', more 0/1, then per session: id, data, incarnation, ttl, runtime, expires}.
 */
export const listSessions: LuaScript = {
  name: "session_list",
  source: `${prelude}
prune(KEYS[1], KEYS[2], now_ms())
local size = tonumber(ARGV[3])
local from = ARGV[2] == '' and '-' or '(' .. ARGV[2]
local ids = redis.call('ZRANGEBYLEX', KEYS[2], from, '+', 'LIMIT', 0, size + 1)
local out = {'ok', #ids > size and 1 or 0}
for i = 1, math.min(#ids, size) do
  local id = ids[i]
  local h = redis.call('HMGET', ARGV[1] .. '{' .. id .. '}:s', 'd', 'ca', 'ttl', 'rt')
  if h[1] then
    local expires = redis.call('ZSCORE', KEYS[1], id) or '0'
    for _, v in ipairs({id, h[1], h[2], h[3], h[4] or '', expires}) do out[#out + 1] = v end
  end
end
return out
`,
};

/** The number of live sessions. KEYS: expiry index, id index. */
export const countSessions: LuaScript = {
  name: "session_count",
  source: `${prelude}
prune(KEYS[1], KEYS[2], now_ms())
return redis.call('ZCARD', KEYS[1])
`,
};

/** Pins, conditionally pins or unpins. ARGV: id, 'set' | 'setnx' | 'clear', runtime id. Reply: gone() | {'ok', runtime or ''}. */
export const affinity: LuaScript = {
  name: "session_affinity",
  source: `${prelude}
local h = redis.call('HMGET', KEYS[1], 'ttl', 'rt', 'g')
if not h[1] then return gone(KEYS[7]) end
touch(ARGV[1], tonumber(h[1]), now_ms(), h[3])
if ARGV[2] == 'clear' then
  redis.call('HDEL', KEYS[1], 'rt')
  return {'ok', ''}
end
if ARGV[2] == 'setnx' and h[2] then return {'ok', h[2]} end
redis.call('HSET', KEYS[1], 'rt', ARGV[3])
return {'ok', ARGV[3]}
`,
};

/** Registers a session tool. ARGV: id, tool name, record, max tools. Reply: gone() | {'full'} | {'ok'}. */
export const putSessionTool: LuaScript = {
  name: "session_tool_put",
  source: `${prelude}
local h = redis.call('HMGET', KEYS[1], 'ttl', 'g')
if not h[1] then return gone(KEYS[7]) end
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 0 and redis.call('HLEN', KEYS[3]) >= tonumber(ARGV[4]) then return {'full'} end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
touch(ARGV[1], tonumber(h[1]), now_ms(), h[2])
return {'ok'}
`,
};
