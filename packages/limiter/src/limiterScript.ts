/**
 * The limiter's Lua scripts. Each runs atomically in Redis and reads the time with Redis
 * `TIME`, so every host shares one clock. Times are integer microseconds inside the scripts
 * (exact in a double) and travel as decimal milliseconds with three decimals: Lua would print
 * a plain number with 14 significant digits and lose the sub-millisecond part.
 */

/** Milliseconds added to every key's PEXPIRE so a key outlives its last entry. */
const EXPIRE_MARGIN_MS = 1_000;

/** Opens every limiter script: `nowUs`/`nowMs` from Redis `TIME`, and the two number formatters. */
export const PRELUDE = `
local function ms(us) return string.format('%.0f.%03d', math.floor(us / 1000), us % 1000) end
local function decimal(x) return string.format('%.3f', x) end
local time = redis.call('TIME')
local nowUs = tonumber(time[1]) * 1000000 + tonumber(time[2])
local nowMs = nowUs / 1000
`;

/**
 * Admits one request or says how long to wait; with mode `peek`, only reports.
 * KEYS: pause, leases, then one log per configured window, then (adaptive rate only) the
 * adaptive rate's hash.
 * ARGV: mode (`acquire` | `peek`), member, concurrency cap (0 = none), lease ms, reserve-ahead
 * ms, then `length ms, max` for each window, in KEYS order. A negative max `-S` is adaptive:
 * the window allows the floor of the hash's `rate` field (at least 1), or S while the hash
 * has none; read here, in the same atomic step, so a cut binds every process at once.
 * Replies: `{1, startMs, waitMs}` admitted, to start at `startMs` (`waitMs` from now, 0 for at
 * once); `{0, reason, waitMs}` with reason `pause`, `window` (wait until enough starts leave)
 * or `concurrency` (poll); peek: `{nowMs, pausedUntilMs, waitMs, inFlight or -1, count per
 * window...}`.
 *
 * Reserving ahead: when the windows free a slot within the reserve-ahead time, the start is
 * recorded at that future instant and the caller waits until it, then confirms it with
 * `CONFIRM_LUA` just before sending. Without it every full window costs a refusal, a sleep
 * rounded up to the timer's millisecond and a second call, and that lateness adds up start
 * after start (~2-4 % of a per-second budget). A window counts every entry above its lower
 * edge, future ones included, so a start at S is admitted only when fewer than max entries
 * lie in (S - length, +inf): every window containing S stays within max.
 */
export const ACQUIRE_LUA = `${PRELUDE}
-- 1. The crawl-wide pause: an epoch ms written by the pause script.
local pausedUntil = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
-- 2. Each window: drop the starts that left it (score <= now - length), count every start
--    that remains (a start from a clock that since stepped back still counts), and if the
--    window is full, wait until the start whose leaving frees a slot has left: exactly
--    its score + length, no margin.
local waitMs = 0
local counts = {}
local lastWindow = 2 + (#ARGV - 5) / 2
for i = 3, lastWindow do
  local lengthMs = tonumber(ARGV[4 + 2 * (i - 2)])
  local max = tonumber(ARGV[5 + 2 * (i - 2)])
  if max < 0 then
    max = math.max(1, math.floor(tonumber(redis.call('HGET', KEYS[lastWindow + 1], 'rate') or -max) or -max))
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', ms(nowUs - lengthMs * 1000))
  local count = redis.call('ZCARD', KEYS[i])
  counts[#counts + 1] = count
  if count >= max then
    local entry = redis.call('ZRANGE', KEYS[i], count - max, count - max, 'WITHSCORES')
    local wait = tonumber(entry[2]) + lengthMs - nowMs
    if wait > waitMs then waitMs = wait end
  end
  -- Windows of up to ~2 s are also enforced on tenths of their length (ceil(max / 10) per
  -- tenth): a whole second's budget sent as one burst arrives with jitter and can spill into
  -- the next window as the API measures it; spread over the second it cannot, and bursts of a
  -- tenth keep the polling cost per start low.
  if lengthMs <= 2100 and count > 0 then
    local subMs = lengthMs / 10
    local subMax = math.ceil(max / 10)
    local since = ms(nowUs - subMs * 1000)
    local recent = redis.call('ZCOUNT', KEYS[i], '(' .. since, '+inf')
    if recent >= subMax then
      local entry = redis.call('ZRANGEBYSCORE', KEYS[i], '(' .. since, '+inf', 'WITHSCORES', 'LIMIT', recent - subMax, 1)
      local wait = tonumber(entry[2]) + subMs - nowMs
      if wait > waitMs then waitMs = wait end
    end
  end
end
-- 3. Global concurrency: drop leases whose holder stopped renewing, count the rest.
local cap = tonumber(ARGV[3])
local inFlight = -1
if cap > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ms(nowUs))
  inFlight = redis.call('ZCARD', KEYS[2])
end
if ARGV[1] == 'peek' then
  return {ms(nowUs), tostring(pausedUntil), decimal(waitMs), inFlight, unpack(counts)}
end
-- 4. Refuse with the reason that ends last: pause, then windows (unless the slot frees
--    within the reserve-ahead time), then the cap (polled).
if pausedUntil > nowMs then return {0, 'pause', decimal(pausedUntil - nowMs)} end
if waitMs > tonumber(ARGV[5]) then return {0, 'window', decimal(waitMs)} end
if cap > 0 and inFlight >= cap then return {0, 'concurrency', '0'} end
-- 5. Admit, now or at the reserved instant: record the start in every window and take a
--    lease; refresh each key's expiry so memory stays bounded by the windows' contents.
local member = ARGV[2]
local aheadUs = math.ceil(waitMs * 1000)
local score = ms(nowUs + aheadUs)
for i = 3, lastWindow do
  local lengthMs = tonumber(ARGV[4 + 2 * (i - 2)])
  redis.call('ZADD', KEYS[i], score, member)
  redis.call('PEXPIRE', KEYS[i], lengthMs + math.ceil(aheadUs / 1000) + ${EXPIRE_MARGIN_MS})
end
if cap > 0 then
  local leaseMs = tonumber(ARGV[4])
  redis.call('ZADD', KEYS[2], ms(nowUs + leaseMs * 1000), member)
  redis.call('PEXPIRE', KEYS[2], leaseMs + ${EXPIRE_MARGIN_MS})
end
return {1, score, decimal(aheadUs / 1000)}
`;

/**
 * Confirms a start reserved ahead, run when its instant has come and just before it is sent:
 * the start is re-dated to now (it only ever moves later), so what the windows record is when
 * the request really leaves, however late this process's timer fired; no more than the usual
 * reply-to-send delay separates the two, as for a start admitted at once.
 *
 * Moving an entry later is safe while no other admission has relied on it leaving a window:
 * such an admission is decided at the earliest `length - reserve-ahead` after the entry's
 * instant, so a confirm later than ARGV[3] ms past it (kept well below that) gives the slot
 * up instead, as it does when the crawl was paused meanwhile: the entry and its lease are
 * removed (a start that is not sent may always leave the logs) and the caller asks again.
 * KEYS: pause, leases, then one log per configured window.
 * ARGV: member, reserved start (epoch ms), latest confirm in ms after it, then each window's
 * length in ms, in KEYS order.
 * Replies: `{1, startMs}` confirmed, the start recorded at `startMs`; `{0, 'pause', waitMs}`
 * or `{0, 'late', lateMs}` given up; `{0, 'early', waitMs}` kept, to confirm again later.
 */
export const CONFIRM_LUA = `${PRELUDE}
local member = ARGV[1]
local pausedUntil = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local lateMs = nowMs - tonumber(ARGV[2])
-- A timer that fired before the instant (libuv's may, by up to 1 ms): keep the slot, wait the rest.
if lateMs < 0 then return {0, 'early', decimal(-lateMs)} end
if pausedUntil > nowMs or lateMs > tonumber(ARGV[3]) then
  for i = 2, #KEYS do redis.call('ZREM', KEYS[i], member) end
  if pausedUntil > nowMs then return {0, 'pause', decimal(pausedUntil - nowMs)} end
  return {0, 'late', decimal(lateMs)}
end
-- GT: never earlier than reserved; without XX, a log Redis lost meanwhile gets it back.
local score = ms(nowUs)
for i = 3, #KEYS do
  redis.call('ZADD', KEYS[i], 'GT', score, member)
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[1 + i]) + ${EXPIRE_MARGIN_MS})
end
return {1, score}
`;

/**
 * Extends the crawl-wide pause to ARGV[1] (integer epoch ms); never shortens it. An extension
 * is also published on the channel of the same name, so every process learns of it at once.
 * KEYS: pause. Reply: 1 when extended.
 */
export const PAUSE_LUA = `${PRELUDE}
local untilMs = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if untilMs <= current or untilMs <= nowMs then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', math.ceil(untilMs - nowMs) + ${EXPIRE_MARGIN_MS})
redis.call('PUBLISH', KEYS[1], ARGV[1])
return 1
`;

/**
 * Renews this process's leases: ZADD XX, so a lease already dropped as expired is not revived
 * (its slot may be taken); one that expired but was not dropped yet was not given away either.
 * KEYS: leases. ARGV: lease ms, then members. Reply: leases renewed.
 */
export const RENEW_LUA = `${PRELUDE}
local expiry = ms(nowUs + tonumber(ARGV[1]) * 1000)
local renewed = 0
for i = 2, #ARGV do
  renewed = renewed + redis.call('ZADD', KEYS[1], 'XX', 'CH', expiry, ARGV[i])
end
if renewed > 0 then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + ${EXPIRE_MARGIN_MS}) end
return renewed
`;

/**
 * Seeds the window logs with past starts (after a Redis loss). A start is added to a window
 * only if it is still inside it; a start ahead of Redis's clock counts as now. Members are
 * chosen by the caller (`seedMember`), so seeding the same times twice adds nothing.
 * KEYS: window logs. ARGV: n windows, their lengths in ms, then `epoch ms, member` pairs.
 * Reply: entries written.
 */
export const SEED_LUA = `${PRELUDE}
local n = tonumber(ARGV[1])
local written = 0
for i = 1, n do
  local lengthMs = tonumber(ARGV[1 + i])
  local fromUs = nowUs - lengthMs * 1000
  for j = n + 2, #ARGV, 2 do
    local us = math.min(math.floor(tonumber(ARGV[j]) * 1000), nowUs)
    if us > fromUs then
      redis.call('ZADD', KEYS[i], ms(us), ARGV[j + 1])
      written = written + 1
    end
  end
  redis.call('PEXPIRE', KEYS[i], lengthMs + ${EXPIRE_MARGIN_MS})
end
return written
`;

/** The window-log member of a seeded start: the same times always give the same members. */
export function seedMember(timeMs: number, occurrence: number): string {
  return `seed:${timeMs}:${occurrence}`;
}

/**
 * Moves one start to now in every window that still holds it. Used when a request reached the
 * API late (a slow new connection): its entry then reflects when the API really saw it. Only
 * ever moves an entry later, which can only make later admissions stricter, so it is safe as
 * long as it runs within the window that admitted it.
 * KEYS: window logs. ARGV: member, ms to date back from now (the API's typical answer time).
 * Reply: windows updated.
 */
export const TOUCH_LUA = `${PRELUDE}
local at = ms(nowUs - math.floor(tonumber(ARGV[2]) * 1000))
local moved = 0
for i = 1, #KEYS do
  moved = moved + redis.call('ZADD', KEYS[i], 'XX', 'GT', 'CH', at, ARGV[1])
end
return moved
`;
