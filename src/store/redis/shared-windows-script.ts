/**
 * The one Lua script a shared key runs per payment (docs/scale-out.md, "What is shared across
 * partitions"): it adds the payment to the key's windows and returns every window's aggregate
 * including it, so a decision costs one script per key and the aggregate never leaves Redis stale.
 * The text is a constant: ids, values and window specs reach it only as KEYS and ARGV, never spliced.
 *
 * It mirrors src/features/window-layout.ts bucket for bucket, so that a stream fed one payment at a
 * time reads exactly what the engine's in-memory windows read (test/store/redis/shared-windows.test.ts):
 * width w = ceil(L / B), bucket floor(ts / w), a per-window head (newest bucket written), a late event
 * taken while its bucket is within B of the head and ignored otherwise, a read at `now` covering
 * floor((now - L) / w) + 1 … floor(now / w), clamped to the head's B buckets.
 *
 * Storage of one key (KEYS[1], a hash): field `h<i>` the head of window i; field `<i>:<b>` window i's
 * value in bucket b (count, sum in minor units, max, min; a mean window keeps its sum there and its
 * count in `<i>n:<b>`). When a head moves forward the buckets it pushes out of the ring are deleted
 * (HDEL), so a key holds at most B fields per window (2B for a mean) plus its heads, whatever its age.
 *
 * Distinct windows (why a ZSET): each has a sorted set of its own, KEYS[1 + d] for the d-th distinct
 * window, in the same hash-tag slot as the hash. Member = a keyed token of the value, score = the
 * newest bucket it was seen in — the (hash, last-seen bucket) pairs of the in-memory layout — so a
 * read is one ZCOUNT over lo … hi, pruning is one ZREMRANGEBYSCORE below the ring, and an update one
 * ZADD GT. At most ARGV[4] (DISTINCT_CAP) members are kept: past it the least recently seen is
 * popped, as in memory (only which of two equally old members goes may differ, so reads above the
 * cap may differ; below it they are equal).
 *
 * Every written key gets a TTL of ARGV[2] ms (the longest window): a key no payment touches for that
 * long is invisible to every read and leaves Redis by itself.
 *
 * ARGV: now (event ms), ttl ms, window count n, distinct cap, then per window: agg code (0 count,
 * 1 sum, 2 mean, 3 max, 4 min, 5 distinct), length L ms, buckets B, value ('' when the payment does
 * not enter the window; count '1'; an integer for sum/mean/max/min; a token for distinct).
 * Returns per window one entry — count, sum or distinct count (0 when empty), max or min (nil when
 * empty) — and two for a mean (sum, count), which the caller divides.
 */

/** The script's source; loaded once per connection (SCRIPT LOAD) and called by its SHA1. */
export const SHARED_WINDOWS_LUA = `
local H = KEYS[1]
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local hf = {}
for i = 1, n do hf[i] = 'h' .. (i - 1) end
local heads = redis.call('HMGET', H, unpack(hf))
local out = {}
local setHeads = {}
local wrote = false
local zs = {}
local z = 1
for i = 1, n do
  local p = 1 + 4 * i
  local k = tonumber(ARGV[p])
  local L = tonumber(ARGV[p + 1])
  local B = tonumber(ARGV[p + 2])
  local v = ARGV[p + 3]
  local w = math.ceil(L / B)
  local head = tonumber(heads[i])
  local pre = (i - 1) .. ':'
  local Z = nil
  if k == 5 then
    z = z + 1
    Z = KEYS[z]
  end
  if v ~= '' then
    local b = math.floor(now / w)
    local take = true
    if head == nil or b > head then
      if head ~= nil and k ~= 5 then
        local last = b - B
        if last > head then last = head end
        local gone = {}
        for j = head - B + 1, last do
          gone[#gone + 1] = pre .. j
          if k == 2 then gone[#gone + 1] = (i - 1) .. 'n:' .. j end
        end
        if #gone > 0 then redis.call('HDEL', H, unpack(gone)) end
      end
      head = b
      setHeads[#setHeads + 1] = hf[i]
      setHeads[#setHeads + 1] = b
    elseif b <= head - B then
      take = false
    end
    if take then
      wrote = true
      local f = pre .. b
      if k == 0 then
        redis.call('HINCRBY', H, f, 1)
      elseif k == 1 then
        redis.call('HINCRBY', H, f, v)
      elseif k == 2 then
        redis.call('HINCRBY', H, f, v)
        redis.call('HINCRBY', H, (i - 1) .. 'n:' .. b, 1)
      elseif k == 3 or k == 4 then
        local cur = tonumber(redis.call('HGET', H, f))
        local x = tonumber(v)
        if cur == nil or (k == 3 and x > cur) or (k == 4 and x < cur) then redis.call('HSET', H, f, v) end
      else
        redis.call('ZREMRANGEBYSCORE', Z, '-inf', head - B)
        if redis.call('ZADD', Z, 'GT', b, v) == 1 and redis.call('ZCARD', Z) > cap then
          redis.call('ZPOPMIN', Z)
        end
        zs[#zs + 1] = Z
      end
    end
  end
  local hi, lo = 0, 1
  if head ~= nil then
    hi = math.floor(now / w)
    if hi > head then hi = head end
    lo = math.floor((now - L) / w) + 1
    if lo <= head - B then lo = head - B + 1 end
  end
  if k == 5 then
    if hi >= lo then out[#out + 1] = redis.call('ZCOUNT', Z, lo, hi) else out[#out + 1] = 0 end
  elseif hi < lo then
    if k == 0 or k == 1 then out[#out + 1] = 0
    elseif k == 2 then
      out[#out + 1] = 0
      out[#out + 1] = 0
    else out[#out + 1] = false end
  else
    local fs = {}
    for j = lo, hi do fs[#fs + 1] = pre .. j end
    local vs = redis.call('HMGET', H, unpack(fs))
    if k == 0 or k == 1 or k == 2 then
      local t = 0
      for j = 1, #fs do t = t + (tonumber(vs[j]) or 0) end
      out[#out + 1] = t
      if k == 2 then
        for j = 1, #fs do fs[j] = (i - 1) .. 'n:' .. (lo + j - 1) end
        local cs = redis.call('HMGET', H, unpack(fs))
        local c = 0
        for j = 1, #fs do c = c + (tonumber(cs[j]) or 0) end
        out[#out + 1] = c
      end
    else
      local x = nil
      for j = 1, #fs do
        local y = tonumber(vs[j])
        if y ~= nil and (x == nil or (k == 3 and y > x) or (k == 4 and y < x)) then x = y end
      end
      if x == nil then out[#out + 1] = false else out[#out + 1] = x end
    end
  end
end
if #setHeads > 0 then redis.call('HSET', H, unpack(setHeads)) end
if wrote then
  redis.call('PEXPIRE', H, ttl)
  for j = 1, #zs do redis.call('PEXPIRE', zs[j], ttl) end
end
return out
`;
