import type { LuaScript } from "../runner.js";
import { commitFunction, prelude } from "./prelude.js";

// Variable reads and commits (each one round trip: session check, TTL slide and the operation),
// and the reads a watch makes.

/**
 * Reads records and slides the session. ARGV: id, mode ('all' variables, 'tools', or 'some'),
 * then names for 'some'. Reply: gone() | {'ok', {records or false, aligned}} | {'ok', {name, record, ...}}.
 */
export const readVariables: LuaScript = {
  name: "variables_read",
  source: `${prelude}
local h = redis.call('HMGET', KEYS[1], 'ttl', 'g')
if not h[1] then return gone(KEYS[7]) end
touch(ARGV[1], tonumber(h[1]), now_ms(), h[2])
if ARGV[2] == 'all' then return {'ok', redis.call('HGETALL', KEYS[2])} end
if ARGV[2] == 'tools' then return {'ok', redis.call('HGETALL', KEYS[3])} end
local out = {}
for i = 3, #ARGV do out[#out + 1] = redis.call('HGET', KEYS[2], ARGV[i]) end
return {'ok', out}
`,
};

/**
 * Commits writes and deletes. ARGV: id, max variables, change log length, number of writes,
 * number of deletes, then the items. Reply: gone() | the commit function's reply.
 */
export const commitVariables: LuaScript = {
  name: "variables_commit",
  source: `${prelude}${commitFunction}
local h = redis.call('HMGET', KEYS[1], 'ttl', 'ca', 'g')
if not h[1] then return gone(KEYS[7]) end
local now = now_ms()
local r = commit(now, h[2], tonumber(ARGV[2]), tonumber(ARGV[3]), 6, tonumber(ARGV[4]), tonumber(ARGV[5]), true)
if r[1] == 'ok' then touch(ARGV[1], tonumber(h[1]), now, h[3]) end
return r
`,
};

/**
 * The start of a watch, without sliding the session. KEYS: session hash, variables hash, tombstone.
 * ARGV: 'none' | 'all' | 'some', then names. Reply: gone() | {'ok', incarnation, seq, {name, record, ...}}.
 */
export const beginWatch: LuaScript = {
  name: "watch_begin",
  source: `${prelude}
local h = redis.call('HMGET', KEYS[1], 'ca', 'seq')
if not h[1] then return gone(KEYS[3]) end
local out = {}
if ARGV[1] == 'all' then
  out = redis.call('HGETALL', KEYS[2])
elseif ARGV[1] == 'some' then
  for i = 2, #ARGV do
    local rec = redis.call('HGET', KEYS[2], ARGV[i])
    if rec then
      out[#out + 1] = ARGV[i]
      out[#out + 1] = rec
    end
  end
end
return {'ok', h[1], h[2], out}
`,
};

/**
 * Changes after a sequence, if the session is still the same incarnation. KEYS: session hash,
 * change stream. ARGV: incarnation, last sequence seen, most entries. Reply: {'ended'} | {'ok', entries}.
 */
export const pollChanges: LuaScript = {
  name: "watch_poll",
  source: `
if redis.call('HGET', KEYS[1], 'ca') ~= ARGV[1] then return {'ended'} end
local from = ARGV[1] .. '-' .. string.format('%d', tonumber(ARGV[2]) + 1)
return {'ok', redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', ARGV[3])}
`,
};
