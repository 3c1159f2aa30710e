import { PRELUDE } from './limiterScript';

/**
 * The adaptive rate's two scripts over one hash (`limiterAdaptiveKey`). The maths lives in
 * `aimd.ts`; these only count what the workers report and write a new state atomically.
 *
 * Hash fields: the state (`rate`, `phase`, `changedAt`, `cutAt`, `cutReason`, `cuts`,
 * `increases`, `bestAnswerMs`, `version`, `servedAtCut`), `throttleStartAt` (latest start of a request
 * answered with a throttle signal), and a ring of BUCKETS slots of BUCKET_MS each holding the
 * clean answers (`ok<i>`), their summed answer times (`ms<i>`) and throttle answers (`th<i>`)
 * reported in that slot's bucket (`id<i>`). All times are Redis epoch ms.
 */

/** Width of one slot of the answer counts. Workers report at least this often, so a bucket is complete one bucket later. */
export const BUCKET_MS = 250;
/** Slots in the ring: the last complete second (4) plus room for the bucket in progress. */
const BUCKETS = 8;
/** Complete buckets summed into "the last complete second". */
const SECOND_BUCKETS = 1_000 / BUCKET_MS;

/**
 * Adds one worker's answer counts, creates the state when missing (a new crawl, or Redis lost
 * it), and reads back the state and the shared observations.
 * KEYS: the adaptive hash, the per-second window log.
 * ARGV: start rate, clean answers, their summed answer ms, throttle answers, latest start of a
 * throttled request (0 for none), the window's length in ms.
 * Reply: nowMs, then the state fields (as `parseReportReply` reads them), throttleStartAt, clean answers
 * and their summed ms in the last complete second, throttle answers in it, starts in the last
 * window length.
 */
export const REPORT_LUA = `${PRELUDE}
local h = KEYS[1]
if redis.call('HEXISTS', h, 'rate') == 0 then
  redis.call('HSET', h, 'rate', ARGV[1], 'phase', 'probe', 'changedAt', decimal(nowMs), 'cutAt', '0', 'cutReason', '',
    'cuts', '0', 'increases', '0', 'bestAnswerMs', '0', 'version', '0', 'servedAtCut', '0', 'throttleStartAt', '0')
end
local bucket = math.floor(nowMs / ${BUCKET_MS})
local ok = tonumber(ARGV[2])
local throttled = tonumber(ARGV[4])
if ok + throttled > 0 then
  local slot = tostring(bucket % ${BUCKETS})
  if redis.call('HGET', h, 'id' .. slot) ~= tostring(bucket) then
    redis.call('HSET', h, 'id' .. slot, tostring(bucket), 'ok' .. slot, '0', 'ms' .. slot, '0', 'th' .. slot, '0')
  end
  redis.call('HINCRBY', h, 'ok' .. slot, ok)
  redis.call('HINCRBYFLOAT', h, 'ms' .. slot, ARGV[3])
  redis.call('HINCRBY', h, 'th' .. slot, throttled)
end
local throttleStart = tonumber(ARGV[5])
if throttleStart > (tonumber(redis.call('HGET', h, 'throttleStartAt')) or 0) then
  redis.call('HSET', h, 'throttleStartAt', ARGV[5])
end
local sumOk, sumMs, sumTh = 0, 0, 0
for b = bucket - ${SECOND_BUCKETS}, bucket - 1 do
  local slot = tostring(b % ${BUCKETS})
  local fields = redis.call('HMGET', h, 'id' .. slot, 'ok' .. slot, 'ms' .. slot, 'th' .. slot)
  if fields[1] == tostring(b) then
    sumOk = sumOk + (tonumber(fields[2]) or 0)
    sumMs = sumMs + (tonumber(fields[3]) or 0)
    sumTh = sumTh + (tonumber(fields[4]) or 0)
  end
end
local starts = redis.call('ZCOUNT', KEYS[2], '(' .. ms(nowUs - tonumber(ARGV[6]) * 1000), '+inf')
local state = redis.call('HMGET', h, 'rate', 'phase', 'changedAt', 'cutAt', 'cutReason', 'cuts', 'increases', 'bestAnswerMs',
  'version', 'servedAtCut', 'throttleStartAt')
return {decimal(nowMs), state[1], state[2], state[3], state[4], state[5], state[6], state[7], state[8], state[9], state[10],
  state[11], sumOk, decimal(sumMs), sumTh, starts}
`;

/**
 * Writes a new state if nobody wrote one since it was read.
 * KEYS: the adaptive hash. ARGV: the version read, then field/value pairs.
 * Reply: 1 when written (the version is bumped), 0 when another worker wrote first.
 */
export const WRITE_LUA = `
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if version ~= tonumber(ARGV[1]) then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[1], 'version', tostring(version + 1))
return 1
`;
