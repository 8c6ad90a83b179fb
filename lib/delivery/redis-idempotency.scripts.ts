/**
 * Lua scripts of `RedisIdempotencyStore`. Each runs atomically in Redis, so two instances can never
 * both claim one event. Keys per event (one hash tag, so they share a Redis Cluster slot):
 * KEYS[1] the claim (owner token, expires), KEYS[2] the set of handlers done, KEYS[3] the completed flag.
 */

/** ARGV: owner, claimTtlMs. Returns {'completed'}, {'in-flight'} or {'claimed', ...doneHandlerKeys}. */
export const CLAIM_SCRIPT = `
if redis.call('EXISTS', KEYS[3]) == 1 then return {'completed'} end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local done = redis.call('SMEMBERS', KEYS[2])
  table.insert(done, 1, 'claimed')
  return done
end
return {'in-flight'}
`;

/** KEYS[1] the claim. ARGV: owner, claimTtlMs. Returns 1 when the owner still held the claim. */
export const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`;

/** KEYS[1] the done set. ARGV: handlerKey, ttlMs. */
export const MARK_DONE_SCRIPT = `
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** KEYS as the claim script. ARGV: owner, ttlMs. The done set is no longer needed once completed. */
export const COMPLETE_SCRIPT = `
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
redis.call('DEL', KEYS[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`;

/** KEYS[1] the claim. ARGV: owner. */
export const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS[1] the completed flag. Returns 1 when it is set. */
export const EXISTS_SCRIPT = `return redis.call('EXISTS', KEYS[1])`;

/** KEYS[1] the failed-delivery count. ARGV: ttlMs. Returns the count after this failure. */
export const COUNT_FAILURE_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return count
`;

/** KEYS[1] the dead letter. ARGV: the dead letter (JSON), ttlMs. */
export const SAVE_DEAD_LETTER_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** KEYS[1] the dead-letter index (a sorted set of event keys by time). ARGV: event key, time. */
export const INDEX_DEAD_LETTER_SCRIPT = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
`;

/** KEYS[1] a key to read. */
export const GET_SCRIPT = `return redis.call('GET', KEYS[1])`;

/** KEYS[1] the dead-letter index. Returns every event key, oldest first. */
export const LIST_INDEX_SCRIPT = `return redis.call('ZRANGE', KEYS[1], 0, -1)`;

/** KEYS[1] the dead letter, KEYS[2] the failed-delivery count. Returns 1 when a dead letter was removed. */
export const DELETE_DEAD_LETTER_SCRIPT = `
local removed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
return removed
`;

/** KEYS[1] the dead-letter index. ARGV: the event key. */
export const UNINDEX_DEAD_LETTER_SCRIPT = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

/** No key: answers 1 when Redis runs scripts. */
export const PING_SCRIPT = `return 1`;
