// "Then the bot replies something like …": cosine similarity between the embeddings of the
// reference text and of each reply, held to APICHAT_SIMILARITY (0.8 unless set).
import { requireModel } from './config.ts';
import type { Verdict } from './judge.ts';
import type { Models } from './models.ts';

export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export interface Similarity extends Verdict {
  /** Index into the candidates of the most similar one (-1 when there were none). */
  best: number;
  /** Every candidate's score, in candidate order. */
  scores: number[];
}

/** One embeddings request for the reference and every candidate not cached yet. */
export async function similarity(models: Models, reference: string, candidates: readonly string[], threshold = models.config.similarity): Promise<Similarity> {
  const model = requireModel(models.config, 'APICHAT_EMBEDDINGS_MODEL');
  const r = await models.embed([reference, ...candidates], { model });
  const [ref, ...rest] = r.vectors;
  const scores = rest.map((v) => Math.round(cosine(ref!, v) * 1000) / 1000);
  const best = scores.length === 0 ? -1 : scores.indexOf(Math.max(...scores));
  const score = best < 0 ? 0 : scores[best]!;
  const pass = best >= 0 && score >= threshold;
  const reason = best < 0 ? 'no reply to compare' : `the most similar reply scores ${score.toFixed(3)} (threshold ${threshold}): ${JSON.stringify(candidates[best])}`;
  return { kind: 'similar', pass, reason, score, threshold, model, best, scores, calls: r.calls, hits: r.hits, cached: r.cached, ms: r.ms };
}
