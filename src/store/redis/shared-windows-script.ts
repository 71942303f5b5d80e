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
 * count in `<i>n:<b>`); and for count, sum and mean the running total of the ring, `t<i>` (a mean's
 * count total in `c<i>`). When a head moves forward the buckets it pushes out of the ring are read,
 * taken off the total and deleted (HMGET, HDEL), so a key holds at most B fields per window (2B for a
 * mean) plus its heads and totals, whatever its age. The common read — a payment in the head's bucket
 * of a window whose length is a whole number of buckets — is the total, with no bucket read; any
 * other read (a late payment, L not a multiple of B, max, min) sums its buckets (HMGET lo … hi).
 * Why totals: reading B buckets per window per payment was most of the script's cost (bench:
 * bench/redis-shared-windows.ts). A call reads what it needs in one HMGET and writes in one HSET.
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
local ttl = ARGV[2]
local n = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local K, L, B, W, V, b, Z = {}, {}, {}, {}, {}, {}, {}
local get, at = {}, {}
local d = 1
local function want(f)
  get[#get + 1] = f
  return #get
end
for i = 1, n do
  local p = 1 + 4 * i
  K[i] = tonumber(ARGV[p])
  L[i] = tonumber(ARGV[p + 1])
  B[i] = tonumber(ARGV[p + 2])
  V[i] = ARGV[p + 3]
  W[i] = math.ceil(L[i] / B[i])
  b[i] = math.floor(now / W[i])
  local j, k = i - 1, K[i]
  if k == 5 then
    d = d + 1
    Z[i] = KEYS[d]
  end
  local a = { h = want('h' .. j) }
  if k <= 2 then a.t = want('t' .. j) end
  if k == 2 then a.c = want('c' .. j) end
  if k ~= 5 and V[i] ~= '' then a.v = want(j .. ':' .. b[i]) end
  if k == 2 and V[i] ~= '' then a.n = want(j .. 'n:' .. b[i]) end
  at[i] = a
end
local got = redis.call('HMGET', H, unpack(get))
local head, tot, cnt, bv, bn = {}, {}, {}, {}, {}
for i = 1, n do
  local a = at[i]
  head[i] = tonumber(got[a.h])
  tot[i] = a.t and (tonumber(got[a.t]) or 0) or 0
  cnt[i] = a.c and (tonumber(got[a.c]) or 0) or 0
  bv[i] = a.v and tonumber(got[a.v]) or nil
  bn[i] = a.n and (tonumber(got[a.n]) or 0) or 0
end
local take, moved = {}, {}
local del, trim, owner = {}, {}, {}
for i = 1, n do
  local k, h, BB = K[i], head[i], B[i]
  if V[i] ~= '' then
    take[i] = true
    if h == nil or b[i] > h then
      if h ~= nil and k ~= 5 then
        local pre = (i - 1) .. ':'
        if b[i] - h >= BB or k > 2 then
          local last = b[i] - BB
          if last > h then last = h end
          tot[i], cnt[i] = 0, 0
          for j = h - BB + 1, last do
            del[#del + 1] = pre .. j
            if k == 2 then del[#del + 1] = (i - 1) .. 'n:' .. j end
          end
        else
          for j = h - BB + 1, b[i] - BB do
            trim[#trim + 1] = pre .. j
            owner[#trim] = i
            if k == 2 then
              trim[#trim + 1] = (i - 1) .. 'n:' .. j
              owner[#trim] = -i
            end
          end
        end
      end
      head[i] = b[i]
      moved[i] = true
    elseif b[i] <= h - BB then
      take[i] = false
    end
  end
end
if #trim > 0 then
  local old = redis.call('HMGET', H, unpack(trim))
  for j = 1, #trim do
    local x, i = tonumber(old[j]) or 0, owner[j]
    if i > 0 then
      if K[i] <= 2 then tot[i] = tot[i] - x end
    else
      cnt[-i] = cnt[-i] - x
    end
    del[#del + 1] = trim[j]
  end
end
if #del > 0 then redis.call('HDEL', H, unpack(del)) end
local set = {}
local function put(f, x)
  set[#set + 1] = f
  set[#set + 1] = x
end
for i = 1, n do
  if take[i] then
    local k, j, x = K[i], i - 1, tonumber(V[i])
    local f = j .. ':' .. b[i]
    if k == 0 then
      put(f, (bv[i] or 0) + 1)
      tot[i] = tot[i] + 1
      put('t' .. j, tot[i])
    elseif k == 1 or k == 2 then
      put(f, (bv[i] or 0) + x)
      tot[i] = tot[i] + x
      put('t' .. j, tot[i])
      if k == 2 then
        put(j .. 'n:' .. b[i], bn[i] + 1)
        cnt[i] = cnt[i] + 1
        put('c' .. j, cnt[i])
      end
    elseif k == 3 or k == 4 then
      if bv[i] == nil or (k == 3 and x > bv[i]) or (k == 4 and x < bv[i]) then put(f, x) end
    else
      if moved[i] then redis.call('ZREMRANGEBYSCORE', Z[i], '-inf', head[i] - B[i]) end
      if redis.call('ZADD', Z[i], 'GT', b[i], V[i]) == 1 and redis.call('ZCARD', Z[i]) > cap then redis.call('ZPOPMIN', Z[i]) end
      redis.call('PEXPIRE', Z[i], ttl)
    end
    if moved[i] then put('h' .. j, head[i]) end
  end
end
if #set > 0 then redis.call('HSET', H, unpack(set)) end
for i = 1, n do
  if take[i] then
    redis.call('PEXPIRE', H, ttl)
    break
  end
end
local out = {}
for i = 1, n do
  local k, h, BB, w, j = K[i], head[i], B[i], W[i], i - 1
  local hi, lo = 0, 1
  if h ~= nil then
    hi = math.floor(now / w)
    if hi > h then hi = h end
    lo = math.floor((now - L[i]) / w) + 1
    if lo <= h - BB then lo = h - BB + 1 end
  end
  if k == 5 then
    if hi >= lo then out[#out + 1] = redis.call('ZCOUNT', Z[i], lo, hi) else out[#out + 1] = 0 end
  elseif hi < lo then
    if k <= 2 then out[#out + 1] = 0 end
    if k == 2 then out[#out + 1] = 0 end
    if k > 2 then out[#out + 1] = false end
  elseif k <= 2 and hi == h and lo == h - BB + 1 then
    out[#out + 1] = tot[i]
    if k == 2 then out[#out + 1] = cnt[i] end
  else
    local fs = {}
    for q = lo, hi do fs[#fs + 1] = j .. ':' .. q end
    local vs = redis.call('HMGET', H, unpack(fs))
    if k <= 2 then
      local t = 0
      for q = 1, #fs do t = t + (tonumber(vs[q]) or 0) end
      out[#out + 1] = t
      if k == 2 then
        for q = 1, #fs do fs[q] = j .. 'n:' .. (lo + q - 1) end
        local cs = redis.call('HMGET', H, unpack(fs))
        local c = 0
        for q = 1, #fs do c = c + (tonumber(cs[q]) or 0) end
        out[#out + 1] = c
      end
    else
      local x = nil
      for q = 1, #fs do
        local y = tonumber(vs[q])
        if y ~= nil and (x == nil or (k == 3 and y > x) or (k == 4 and y < x)) then x = y end
      end
      if x == nil then out[#out + 1] = false else out[#out + 1] = x end
    end
  end
end
return out
`;
