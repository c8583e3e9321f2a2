// What a written feature says, before it is Gherkin text: the user's actions and, per turn,
// the checks of what the bot answered. The generaliser builds it; the feature writer prints it.
import type { AttachmentKind } from '../protocol/index.ts';
import type { Action } from './observe.ts';

/** Exact text (may quote a captured variable as {{name}}), or a regular expression source. */
export type TextCheck = { exact: string } | { regex: string };

export interface CardCheck {
  title: string;
  subtitle: string;
  buttons: string[];
}

export type ReplyCheck =
  | { kind: 'text'; text: TextCheck }
  | { kind: 'buttons'; text: TextCheck | null; titles: string[]; structureFirst?: boolean }
  /** cards null: they vary between visits, so only their number is checked. */
  | { kind: 'carousel'; text: TextCheck | null; count: number; cards: CardCheck[] | null; structureFirst?: boolean }
  | { kind: 'media'; media: AttachmentKind; urlPart: string | null }
  /** A shape no step phrase asserts: written as a comment. */
  | { kind: 'unknown'; summary: string };

export interface ScenarioTurn {
  action: Action;
  checks: ReplyCheck[];
  /** Private agent notes (comments in the feature). */
  notes: string[];
}

export interface ScenarioDoc {
  name: string;
  turns: ScenarioTurn[];
  /** Comment lines written above the scenario. */
  comments?: string[];
}

export interface FeatureDoc {
  name: string;
  /** Free text under the Feature line. */
  description: string[];
  scenarios: ScenarioDoc[];
}

/** "hi, Rooms, Choose on Suite, Yes": a scenario named after what the user did. */
export function describePath(actions: readonly Action[]): string {
  return actions
    .map((a) => {
      if (a.kind === 'say') return JSON.stringify(a.text);
      if (a.kind === 'tap') return a.card === undefined ? a.title : `${a.title} on ${a.card}`;
      return `${a.media} ${a.url}`;
    })
    .join(', ');
}
