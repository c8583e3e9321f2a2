// Another process's clock (the run's coordinator, or Redis) against this one's nowMs(). A reply's
// arrived_at is stamped where the listener runs, while a worker starts its turns on its own
// clock; each process's nowMs() is its start time plus a monotonic count, so two processes on
// one machine can disagree by a few ms once the wall clock has been slewed between their starts
// (seen: more than 1 ms within one 20 s process). A reply that came just after the action could
// then be filed in the turn before.
import { nowMs } from '../protocol/index.ts';

/**
 * The other clock minus nowMs(), from the reading with the shortest round trip (its error is at
 * most half of that round trip). `read` returns the other clock's epoch ms.
 */
export async function offsetFrom(read: () => Promise<number>, samples = 5): Promise<number> {
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < samples; i++) {
    const t0 = nowMs();
    const other = await read();
    const t1 = nowMs();
    if (t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: other - (t0 + t1) / 2 };
  }
  return best.offset;
}
