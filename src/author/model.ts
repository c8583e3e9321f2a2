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
  /** image_url and item_url; '' when the card has none. */
  image: string;
  url: string;
}

/** A URL button (web_url or any other non-postback type with a URL), checked with its URL. */
export interface LinkCheck {
  title: string;
  url: string;
}

/** A private agent note: checked exactly or by a part that both visits share; else only a comment. */
export type NoteCheck = { mode: 'exact' | 'containing' | 'comment'; value: string };

export type ReplyCheck =
  | { kind: 'text'; text: TextCheck }
  | { kind: 'buttons'; text: TextCheck | null; titles: string[]; links?: LinkCheck[]; structureFirst?: boolean }
  /** cards null: they vary between visits, so only their number is checked. */
  | { kind: 'carousel'; text: TextCheck | null; count: number; cards: CardCheck[] | null; links?: LinkCheck[]; structureFirst?: boolean }
  | { kind: 'media'; media: AttachmentKind; urlPart: string | null }
  /** A shape no step phrase asserts: written as a comment. */
  | { kind: 'unknown'; summary: string };

export interface ScenarioTurn {
  action: Action;
  checks: ReplyCheck[];
  /** Private agent notes of the turn. */
  notes: NoteCheck[];
}

export interface ScenarioDoc {
  name: string;
  turns: ScenarioTurn[];
  /** Comment lines written above the scenario. */
  comments?: string[];
  /** The Given step's text; default "a new conversation" (a simulated user's names its profile). */
  given?: string;
  /** Tags written above the scenario (without the @). */
  tags?: string[];
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
