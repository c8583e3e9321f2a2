// A simulated conversation that met its goal, written as a scripted scenario with the exact step
// phrases (the crawl/record writer): replayed once in a fresh conversation with the same profile,
// so values that change between visits are generalised, then written to
// <report dir>/simulated/<feature>/<scenario>.feature. A team keeps the runs it likes.
import { basename, join, relative } from 'node:path';
import { writeWhole } from '../base/files.ts';
import type { TranscriptData } from '../conversation/index.ts';
import { slug } from './crawl-files.ts';
import { quote, renderFeature } from './feature-writer.ts';
import type { FeatureDoc } from './model.ts';
import type { Action, ObservedTurn, ObserverOptions } from './observe.ts';
import { generaliseByReplay } from './replay.ts';

export interface SimulatedFeatureInput {
  /** Where the replay runs (the run's inbox and bot) and as whom: the scenario's name and profile. */
  observer: ObserverOptions & { name: string };
  transcript: TranscriptData;
  goal: string;
  /** The judge's reason for "met". */
  verdictReason: string;
  /** The scenario's feature file (e.g. features/booking.feature) and name. */
  featureUri: string;
  scenarioName: string;
  /** The report directory (APICHAT_REPORT_DIR, default reports). */
  reportDir: string;
}

export interface WrittenFeature {
  /** The file as written, relative to the working directory when inside it. */
  path: string;
  /** The file relative to the report directory (a link from the conversation report). */
  href: string;
  doc: FeatureDoc;
}

/** The conversation's turns as the recorder would have seen them: each action with its replies and notes. */
export function observedTurns(t: TranscriptData): ObservedTurn[] {
  const turns = new Map<number, ObservedTurn>();
  for (const e of t.events) {
    if (e.type === 'user') {
      const a = e.action;
      const card = e.simulated?.card;
      const action: Action =
        a.kind === 'text' ? { kind: 'say', text: a.text } : a.kind === 'postback' ? { kind: 'tap', title: a.title, ...(card !== undefined ? { card } : {}) } : { kind: 'send', media: a.kind, url: a.url };
      turns.set(e.turn, { action, replies: [], notes: [] });
    } else if (e.type === 'bot') {
      const turn = turns.get(e.turn);
      if (turn) (e.message.private ? turn.notes : turn.replies).push(e.message);
    }
  }
  return [...turns.values()];
}

/** The Given step that starts the same user: its name and profile, in the package's phrases. */
export function givenStep(p: { name: string; email?: string; phone?: string }, defaultName: string): string {
  const email = p.email ? p.email : undefined;
  const phone = p.phone ? p.phone : undefined;
  if (p.name === defaultName && !email && !phone) return 'a new conversation';
  const base = `a new conversation as ${quote(p.name)}`;
  if (email && phone) return `${base} with email ${quote(email)} and phone ${quote(phone)}`;
  if (email) return `${base} with email ${quote(email)}`;
  if (phone) return `${base} with phone ${quote(phone)}`;
  return base;
}

/** <report dir>/simulated/<feature>/<scenario>.feature: the feature file's name (without .feature) and the scenario's name, file-name safe. */
export function simulatedFeaturePath(reportDir: string, featureUri: string, scenarioName: string): string {
  const feature = basename(featureUri.replace(/\\/g, '/')).replace(/\.feature$/, '');
  return join(reportDir, 'simulated', slug(feature), `${slug(scenarioName)}.feature`);
}

export async function writeSimulatedFeature(i: SimulatedFeatureInput, defaultName: string): Promise<WrittenFeature> {
  const recorded = observedTurns(i.transcript);
  const warnings: string[] = [];
  const turns = await generaliseByReplay(i.observer, recorded, (n, why) => warnings.push(`turn ${n + 1}: ${why}; written as the simulation saw it`));
  const doc: FeatureDoc = {
    name: `${i.scenarioName} (simulated)`,
    description: [
      `Written by apichat-bdd from a simulated user who wanted to ${quote(i.goal)}`,
      `(${i.featureUri}, scenario ${quote(i.scenarioName)}); the judge found the goal met: ${i.verdictReason}`,
      'Replayed once before writing: replies that changed between the two are checked with `matching /…/`.',
    ],
    scenarios: [{ name: i.scenarioName, given: givenStep(i.observer, defaultName), turns, comments: warnings }],
  };
  const file = simulatedFeaturePath(i.reportDir, i.featureUri, i.scenarioName);
  writeWhole(file, renderFeature(doc));
  const rel = relative(process.cwd(), file);
  return { path: rel.startsWith('..') ? file : rel, href: relative(i.reportDir, file).split('\\').join('/'), doc };
}
