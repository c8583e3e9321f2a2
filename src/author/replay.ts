// A recorded path becomes a feature's turns: it is replayed once in a fresh conversation and
// each turn's replies are paired with the recording's (Generaliser), so replies that change
// between visits (a booking reference) become `matching /…/` and captured values {{name}}.
// `record` and simulated users (src/author/simulated.ts) both write their features this way.
import { isApiChatError } from '../base/errors.ts';
import { Generaliser, UnstableError } from './generalise.ts';
import type { ScenarioTurn } from './model.ts';
import { observePath, type ObservedTurn, type ObserverOptions } from './observe.ts';

/**
 * The written turns of `recorded`. A turn answered differently on the replay, or a replay that
 * failed, is written as the recording saw it, and `warn(turnIndex, why)` says so.
 */
export async function generaliseByReplay(observer: ObserverOptions, recorded: readonly ObservedTurn[], warn: (index: number, why: string) => void): Promise<ScenarioTurn[]> {
  const g = new Generaliser();
  const written: ScenarioTurn[] = [];
  try {
    await observePath(
      observer,
      recorded.map((t) => t.action),
      (replayed, i) => {
        const original = recorded[i];
        if (!original) return;
        try {
          written.push(g.turn(original, replayed, i));
        } catch (e) {
          if (!(e instanceof UnstableError)) throw e;
          warn(i, e.message);
          written.push(g.turn(original, original, i));
        }
      },
      (a) => g.forReplay(a),
    );
  } catch (e) {
    if (!isApiChatError(e)) throw e;
    warn(written.length, `the replay failed (${e.message.split('\n')[0]})`);
  }
  const replayedTurns = written.length;
  for (const [i, t] of recorded.entries()) if (i >= replayedTurns) written.push(g.turn(t, t, i));
  return written;
}
