#pragma once
// The queue's state changes that must happen together run as Lua inside
// Redis (atomic, and sent again as a whole when a reply was lost). They go
// by SHA-1 (EVALSHA), the text only when Redis does not know them yet.
// Each starts with a guard that makes sending it twice harmless.
#include <string_view>

namespace sluice::queue::lua {

// Write the result, mark the job done, acknowledge and delete the job entry.
// KEYS: jobs, results, done mark, stats.  ARGV: group, entry ID, writer (who
// and which delivery: a lost reply sent again is recognised as ours), mark
// TTL, results MAXLEN, then the result's job ID, name, verdict, score, worker
// and report.
// A job already marked done by another delivery is still written, with
// duplicate=1, and counted: at-least-once delivery made visible.
// Returns 0 written, 1 written as a duplicate, 2 already written by us.
inline constexpr std::string_view kFinish = R"lua(
local prev = redis.call('GET', KEYS[3])
if prev == ARGV[3] then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  redis.call('XDEL', KEYS[1], ARGV[2])
  return 2
end
local dup = 0
if prev then dup = 1 else redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4]) end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', 'duplicate', tostring(dup), 'job', ARGV[6],
           'name', ARGV[7], 'verdict', ARGV[8], 'score', ARGV[9], 'worker', ARGV[10], 'report', ARGV[11])
if dup == 1 then
  redis.call('HINCRBY', KEYS[4], 'duplicates', 1)
else
  redis.call('HINCRBY', KEYS[4], 'results', 1)
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return dup
)lua";

// Put a job back as a new entry (its attempts and last failure updated) in
// place of the delivered one. KEYS: jobs, stats.  ARGV: group, entry ID, the
// new entry's field/value pairs. Returns 0 when the entry was no longer
// pending (another worker finished it, or this ran already).
inline constexpr std::string_view kRequeue = R"lua(
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('XDEL', KEYS[1], ARGV[2])
local cmd = {'XADD', KEYS[1], '*'}
for i = 3, #ARGV do cmd[#cmd + 1] = ARGV[i] end
redis.call(unpack(cmd))
redis.call('HINCRBY', KEYS[2], 'requeued', 1)
return 1
)lua";

// Move a job to the dead letters. KEYS: jobs, dead letters, stats.
// ARGV: group, entry ID, dead-letter MAXLEN, then field/value pairs.
// Returns 0 when the entry was no longer pending.
inline constexpr std::string_view kDeadLetter = R"lua(
if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('XDEL', KEYS[1], ARGV[2])
local cmd = {'XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*'}
for i = 4, #ARGV do cmd[#cmd + 1] = ARGV[i] end
redis.call(unpack(cmd))
redis.call('HINCRBY', KEYS[3], 'dead_letters', 1)
return 1
)lua";

}  // namespace sluice::queue::lua
