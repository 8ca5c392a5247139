// Lua shared by the session and variable scripts. Session scripts take KEYS in the order of
// storeKeys().session(id): 1 session hash, 2 variables hash, 3 tools hash, 4 change stream,
// 5 expiry index, 6 id index, 7 tombstone. The tombstone ("e <ttl> <remember> <org>", or "c ..."
// once cleaned up) slides with the session but lives rememberEndedMs longer (the hash keeps that
// in 'g'), so a miss can tell an expired session from one that never existed. Only a miss reads
// it. Times come from the Redis server (TIME), so every gateway agrees.
// Numbers are formatted with %d: Lua's default %.14g would turn large ones into exponents.

/** Helpers: fmt, now_ms, now_us, touch, gone, prune. */
export const prelude = `
local function fmt(n) return string.format('%d', n) end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function now_us(t)
  t = t or redis.call('TIME')
  return t[1] .. string.format('%06d', tonumber(t[2]))
end
-- Slides every key of the session forward by its TTL, and its tombstone by the TTL and
-- \`remember\` (the hash's 'g'; absent for sessions made before tombstones), and records the new
-- expiry in the index.
local function touch(sid, ttl, now, remember)
  for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
  if remember then redis.call('PEXPIRE', KEYS[7], ttl + tonumber(remember)) end
  redis.call('ZADD', KEYS[5], fmt(now + ttl), sid)
  return now + ttl
end
-- The reply to a missing session: {'gone'}, or {'gone', tombstone, its remaining ms}.
local function gone(tomb)
  local t = redis.call('GET', tomb)
  if not t then return {'gone'} end
  return {'gone', t, redis.call('PTTL', tomb)}
end
-- Drops expired sessions from both indexes (their keys expired by themselves), a bounded batch at a time.
local function prune(expiry, ids, now)
  local dead = redis.call('ZRANGEBYSCORE', expiry, '-inf', '(' .. fmt(now), 'LIMIT', 0, 1000)
  if #dead > 0 then
    redis.call('ZREM', expiry, unpack(dead))
    redis.call('ZREM', ids, unpack(dead))
  end
end
`;

/**
 * Checks and applies a commit to KEYS[2] (variables) and KEYS[4] (changes), reading its items
 * from ARGV starting at \`first\`: per write 9 values (name, type given or '', expected version
 * or '', resolved type, resolved constraints text, constraints given '1'/'0', metadata given
 * '1'/'0', metadata text, value text), then per delete 2 (name, expected version or '').
 *
 * The gateway checked every rule against a declaration (type and constraints) it believed
 * stored; this verifies that belief atomically and answers {'basis', name, record|false, ...}
 * when it was wrong, so the gateway checks again with the true declarations. Nothing is written
 * unless every item passes. On success: {'ok', now, seq, per write: version, created, metadata
 * text, per delete: 1 if it existed}. Stream ids are <incarnation>-<seq>.
 */
export const commitFunction = `
local function header(rec)
  local a = string.find(rec, '\\n', 1, true)
  local b = string.find(rec, '\\n', a + 1, true)
  local c = string.find(rec, '\\n', b + 1, true)
  return cjson.decode(string.sub(rec, 1, a - 1)), string.sub(rec, a + 1, b - 1), string.sub(rec, b + 1, c - 1)
end

local function commit(now, incarnation, maxvars, loglen, first, nw, nd, feed)
  local writes, deletes, wrong = {}, {}, {}
  local creations, removals = 0, 0
  local i = first
  for k = 1, nw do
    local w = { name = ARGV[i], given = ARGV[i + 1], expected = ARGV[i + 2], rtype = ARGV[i + 3],
      rc = ARGV[i + 4], cset = ARGV[i + 5], mset = ARGV[i + 6], mtext = ARGV[i + 7], vtext = ARGV[i + 8] }
    i = i + 9
    local cur = redis.call('HGET', KEYS[2], w.name)
    if cur then
      local h, sc, sm = header(cur)
      if h[1] ~= 1 then return {'format', w.name} end
      if w.expected ~= '' and tonumber(w.expected) ~= h[3] then return {'conflict', w.name, w.expected, h[3]} end
      if w.rtype ~= h[2] or (w.cset == '0' and w.rc ~= sc) then
        wrong[#wrong + 1] = w.name
        wrong[#wrong + 1] = cur
      end
      w.version = h[3] + 1
      w.created = h[4]
      w.meta = sm
    else
      if w.expected ~= '' and w.expected ~= '0' then return {'conflict', w.name, w.expected, 0} end
      if w.given == '' or (w.cset == '0' and w.rc ~= 'null') then
        wrong[#wrong + 1] = w.name
        wrong[#wrong + 1] = false
      end
      w.version = 1
      w.created = now
      w.meta = 'null'
      creations = creations + 1
    end
    if w.mset == '1' then w.meta = w.mtext end
    writes[k] = w
  end
  for k = 1, nd do
    local d = { name = ARGV[i], expected = ARGV[i + 1] }
    i = i + 2
    d.rec = redis.call('HGET', KEYS[2], d.name)
    local version = 0
    if d.rec then
      version = header(d.rec)[3]
      removals = removals + 1
    end
    if d.expected ~= '' and tonumber(d.expected) ~= version then return {'conflict', d.name, d.expected, version} end
    deletes[k] = d
  end
  if #wrong > 0 then
    table.insert(wrong, 1, 'basis')
    return wrong
  end
  if creations > 0 and redis.call('HLEN', KEYS[2]) + creations - removals > maxvars then return {'full'} end

  local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
  local out = {'ok', fmt(now), 0}
  for k = 1, nw do
    local w = writes[k]
    local rec = '[1,"' .. w.rtype .. '",' .. fmt(w.version) .. ',' .. fmt(w.created) .. ',' .. fmt(now) .. ']\\n'
      .. w.rc .. '\\n' .. w.meta .. '\\n' .. w.vtext
    redis.call('HSET', KEYS[2], w.name, rec)
    if feed then
      seq = seq + 1
      redis.call('XADD', KEYS[4], 'MAXLEN', loglen, incarnation .. '-' .. fmt(seq), 'k', 's', 'n', w.name, 'r', rec)
    end
    out[#out + 1] = w.version
    out[#out + 1] = fmt(w.created)
    out[#out + 1] = w.meta
  end
  for k = 1, nd do
    local d = deletes[k]
    if d.rec then
      redis.call('HDEL', KEYS[2], d.name)
      if feed then
        seq = seq + 1
        redis.call('XADD', KEYS[4], 'MAXLEN', loglen, incarnation .. '-' .. fmt(seq), 'k', 'd', 'n', d.name, 'r', d.rec)
      end
      out[#out + 1] = 1
    else
      out[#out + 1] = 0
    end
  end
  if feed then redis.call('HSET', KEYS[1], 'seq', seq) end
  out[3] = seq
  return out
end
`;
