/**
 * The one Lua script a shared key runs per payment (docs/scale-out.md, "What is shared across
 * partitions"): it adds the payment to the key's windows and returns every window's aggregate
 * including it, so a decision costs one script per key and the aggregate never leaves Redis stale.
 * The text is a constant: ids, values and window specs reach it only as KEYS and ARGV, never spliced.
 *
 * It mirrors src/features/window-layout.ts bucket for bucket, so that a stream fed one payment at a
 * time reads exactly what the engine's in-memory windows read (test/store/redis/shared-windows.test.ts):
 * width w = ceil(L / B), bucket floor(ts / w), a ring of the B newest buckets per window with a head
 * (newest bucket written) whose forward moves clear the slots they pass, a late event taken while its
 * bucket is within B of the head and ignored otherwise, a read at `now` covering
 * floor((now - L) / w) + 1 … floor(now / w), clamped to the head's B buckets.
 *
 * Storage of one key (KEYS[1], a hash): one field `r<i>` per window i holding its ring as MessagePack
 * (cmsgpack, in Redis's Lua): count and sum `[head, total, slot 0 … slot B-1]`, mean
 * `[head, sum total, count total, B sums, B counts]`, max and min `[head, B slots, false when empty]`,
 * distinct `[head]`. Amounts are integers (minor units), which MessagePack keeps exact. The total
 * makes the common read — a payment in the head's bucket of a window whose length is a whole number
 * of buckets — one number; other reads (late payments, L not a multiple of B, max, min) sum at most B
 * slots. A key's size is fixed by its specs, whatever its age: nothing to trim but the slots a head
 * passes.
 * Why a ring per field and not a field per bucket (the first design): a field name per bucket is a
 * number turned into a string in Lua (~0.3–0.6 µs each here), and a window has 24 of them; at the same
 * load bench/redis-shared-windows.ts measured 286 µs of Redis CPU per payment (four keys) with a field
 * per bucket and running totals, 217 µs with the ring; one busy key alone, ~57 against ~21 µs a call.
 *
 * Distinct windows (why a ZSET): each has a sorted set of its own, KEYS[1 + d] for the d-th distinct
 * window, in the same hash-tag slot as the hash. Member = a keyed token of the value, score = the
 * newest bucket it was seen in — the (hash, last-seen bucket) pairs of the in-memory layout — so a
 * read is one ZCOUNT over lo … hi, pruning one ZREMRANGEBYSCORE below the ring when the head moves,
 * and an update one ZADD GT. At most ARGV[4] (DISTINCT_CAP) members are kept: past it the least
 * recently seen is popped, as in memory (only which of two equally old members goes may differ, so
 * reads above the cap may differ; below it they are equal).
 *
 * Every written key gets a TTL of ARGV[2] ms (the longest window): a key no payment touches for that
 * long is invisible to every read and leaves Redis by itself.
 *
 * ARGV: now (event ms), ttl ms, window count n (at most 32), distinct cap, then per window: agg code
 * (0 count, 1 sum, 2 mean, 3 max, 4 min, 5 distinct), length L ms, buckets B, value ('' when the
 * payment does not enter the window; count '1'; an integer for sum/mean/max/min; a token for distinct).
 * Returns per window one entry — count, sum or distinct count (0 when empty), max or min (nil when
 * empty) — and two for a mean (sum, count), which the caller divides.
 */

/** Most windows one group may have (the script names its fields from a fixed list). */
export const MAX_SHARED_WINDOWS = 32;

/** The script's source; loaded once per connection (SCRIPT LOAD) and called by its SHA1. */
export const SHARED_WINDOWS_LUA = `
local R = { 'r0','r1','r2','r3','r4','r5','r6','r7','r8','r9','r10','r11','r12','r13','r14','r15','r16','r17','r18','r19','r20','r21','r22','r23','r24','r25','r26','r27','r28','r29','r30','r31' }
local H = KEYS[1]
local now = tonumber(ARGV[1])
local ttl = ARGV[2]
local n = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local names = {}
for i = 1, n do names[i] = R[i] end
local got = redis.call('HMGET', H, unpack(names))
local out, set, took = {}, {}, false
local d = 1
for i = 1, n do
  local p = 1 + 4 * i
  local k, L, B, v = tonumber(ARGV[p]), tonumber(ARGV[p + 1]), tonumber(ARGV[p + 2]), ARGV[p + 3]
  local w = math.ceil(L / B)
  local Z = nil
  if k == 5 then
    d = d + 1
    Z = KEYS[d]
  end
  local r = nil
  if got[i] then r = cmsgpack.unpack(got[i]) end
  local h = nil
  if r then h = r[1] end
  if v ~= '' then
    local b = math.floor(now / w)
    local take, moved = true, false
    if h == nil or b > h then
      if r == nil then
        r = { b }
        if k <= 1 then
          for s = 2, B + 2 do r[s] = 0 end
        elseif k == 2 then
          for s = 2, 2 * B + 3 do r[s] = 0 end
        elseif k <= 4 then
          for s = 2, B + 1 do r[s] = false end
        end
      else
        local from = h + 1
        if b - h > B then from = b - B + 1 end
        for s = from, b do
          local q = s % B
          if k <= 1 then
            r[2] = r[2] - r[3 + q]
            r[3 + q] = 0
          elseif k == 2 then
            r[2] = r[2] - r[4 + q]
            r[3] = r[3] - r[4 + B + q]
            r[4 + q] = 0
            r[4 + B + q] = 0
          elseif k <= 4 then
            r[2 + q] = false
          end
        end
        r[1] = b
      end
      h = b
      moved = true
      if k == 5 then redis.call('ZREMRANGEBYSCORE', Z, '-inf', h - B) end
    elseif b <= h - B then
      take = false
    end
    if take then
      took = true
      local q = b % B
      if k == 0 then
        r[3 + q] = r[3 + q] + 1
        r[2] = r[2] + 1
      elseif k == 1 then
        local x = tonumber(v)
        r[3 + q] = r[3 + q] + x
        r[2] = r[2] + x
      elseif k == 2 then
        local x = tonumber(v)
        r[4 + q] = r[4 + q] + x
        r[4 + B + q] = r[4 + B + q] + 1
        r[2] = r[2] + x
        r[3] = r[3] + 1
      elseif k <= 4 then
        local x, c = tonumber(v), r[2 + q]
        if c == false or (k == 3 and x > c) or (k == 4 and x < c) then r[2 + q] = x end
      else
        if redis.call('ZADD', Z, 'GT', b, v) == 1 and redis.call('ZCARD', Z) > cap then redis.call('ZPOPMIN', Z) end
        redis.call('PEXPIRE', Z, ttl)
      end
      if k ~= 5 or moved then
        set[#set + 1] = names[i]
        set[#set + 1] = cmsgpack.pack(r)
      end
    end
  end
  local hi, lo = 0, 1
  if h ~= nil then
    hi = math.floor(now / w)
    if hi > h then hi = h end
    lo = math.floor((now - L) / w) + 1
    if lo <= h - B then lo = h - B + 1 end
  end
  if k == 5 then
    if hi >= lo then out[#out + 1] = redis.call('ZCOUNT', Z, lo, hi) else out[#out + 1] = 0 end
  elseif hi < lo then
    if k <= 2 then out[#out + 1] = 0 end
    if k == 2 then out[#out + 1] = 0 end
    if k > 2 then out[#out + 1] = false end
  elseif k <= 2 and hi == h and lo == h - B + 1 then
    out[#out + 1] = r[2]
    if k == 2 then out[#out + 1] = r[3] end
  elseif k <= 1 then
    local t = 0
    for s = lo, hi do t = t + r[3 + s % B] end
    out[#out + 1] = t
  elseif k == 2 then
    local t, c = 0, 0
    for s = lo, hi do
      t = t + r[4 + s % B]
      c = c + r[4 + B + s % B]
    end
    out[#out + 1] = t
    out[#out + 1] = c
  else
    local x = false
    for s = lo, hi do
      local y = r[2 + s % B]
      if y ~= false and (x == false or (k == 3 and y > x) or (k == 4 and y < x)) then x = y end
    end
    out[#out + 1] = x
  end
end
if #set > 0 then redis.call('HSET', H, unpack(set)) end
if took then redis.call('PEXPIRE', H, ttl) end
return out
`;
