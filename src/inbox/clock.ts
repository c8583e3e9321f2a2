// Another process's clock (the run's coordinator, or Redis) against this one's nowMs(). A reply's
// arrived_at is stamped where the listener runs, while a worker starts its turns on its own
// clock; each process's nowMs() is its start time plus a monotonic count, so two processes on
// one machine can disagree by a few ms once the wall clock has been slewed between their starts
// (seen: more than 1 ms within one 20 s process). A reply that came just after the action could
// then be filed in the turn before.
import { nowMs } from '../protocol/index.ts';

/**
 * The other clock minus nowMs(), as small as the readings allow. Each reading brackets the other
 * clock's time between the moments this process sent and got it; the one with the shortest round
 * trip bounds the offset best, to within half of that round trip. Within that bound the value
 * nearest 0 is taken: a correction larger than what was measured misfiles replies as surely as a
 * skew does (a busy coordinator answers late, and on one machine the true skew is usually well
 * under a millisecond), so an offset the readings cannot tell from 0 is 0.
 */
export async function offsetFrom(read: () => Promise<number>, samples = 5): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < samples; i++) {
    const t0 = nowMs();
    const other = await read();
    const t1 = nowMs();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: other - (t0 + t1) / 2 };
  }
  const slack = best.rtt / 2;
  return Math.abs(best.offset) <= slack ? 0 : best.offset - Math.sign(best.offset) * slack;
}
