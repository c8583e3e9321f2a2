// Another process's clock (the run's coordinator, or Redis) against this one's nowMs(). A reply's
// arrived_at is stamped where the listener runs, while a runner or worker starts its turns on its
// own clock; should the two disagree by more than the bot's reply time, a reply that came just
// after the action would be filed in the turn before. Across machines (Redis) they do; processes
// on one machine measured 0.002-0.014 ms apart here, so for a worker this is a safeguard that
// normally corrects nothing.
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
