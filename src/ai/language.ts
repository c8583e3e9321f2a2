// "Then the bot replies in Spanish": the language of a reply, detected offline by eld (Efficient
// Language Detector, 60 languages, no dependencies). Chosen over tinyld and franc by
// bench/language.ts: on 50 short bot-like replies in 7 languages eld was right 50/50 (every
// database size), tinyld 48/50 (heavy 49/50), franc 24/50 (it weighs 187 languages, many close
// relatives, and is built for longer text). The small database is as accurate here as the large
// one and loads several times faster; it is loaded on the first language step only, so a run
// without one pays nothing.
// Language names are English (Intl.DisplayNames): "Spanish", "French", "Norwegian"…
import { ApiChatError } from '../base/errors.ts';

export interface Detection {
  /** ISO 639-1 code, or '' when eld found none (digits, emoji, a single letter). */
  code: string;
  /** The English name ('' when none). */
  name: string;
  /** eld's score of the detected language, 0 to 1. */
  confidence: number;
  /** eld's own judgement: enough n-grams and a clear lead. */
  reliable: boolean;
}

interface EldResult {
  language: string;
  getScores(): Record<string, number>;
  isReliable(): boolean;
}
interface Eld {
  detect(text: string): EldResult;
  info(): { Languages: Record<number, string> };
}

let eld: Eld | undefined;
let loading: Promise<Eld> | undefined;

const NAMES = new Intl.DisplayNames(['en'], { type: 'language' });

export function languageName(code: string): string {
  if (code === '') return '';
  try {
    return NAMES.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Loads the detector once per process (about a second); later calls are free. */
export async function loadLanguageDetector(): Promise<void> {
  loading ??= import('eld/small').then((m) => (eld = (m as unknown as { eld: Eld }).eld));
  await loading;
}

function detector(): Eld {
  if (!eld) throw new Error('the language detector is not loaded: await loadLanguageDetector() first');
  return eld;
}

let codesByName: Map<string, string> | undefined;

/** The codes the detector knows, by English name (lower case); built once, as languageCode runs for every reply a language step tests. */
function byName(): Map<string, string> {
  if (codesByName) return codesByName;
  const map = new Map<string, string>();
  for (const code of Object.values(detector().info().Languages)) {
    map.set(languageName(code).toLowerCase(), code);
    map.set(code, code);
  }
  codesByName = map;
  return map;
}

/** The English names of every language the detector knows, sorted. */
export function knownLanguages(): string[] {
  return Object.values(detector().info().Languages).map(languageName).sort();
}

/** "Spanish" (any case) → "es"; an unknown name is one line listing the known ones. */
export function languageCode(name: string): string {
  const code = byName().get(name.trim().toLowerCase());
  if (code === undefined) {
    throw new ApiChatError('APICHAT_UNKNOWN_LANGUAGE', `"replies in ${name}": the language detector does not know "${name}"; use one of: ${knownLanguages().join(', ')}`);
  }
  return code;
}

/** Synchronous once loaded, so a waiting `Then` can test each reply as it arrives. */
export function detectLanguage(text: string): Detection {
  // A `replies in <language>` step re-checks every waiting reply each time another arrives:
  // each text is detected once (the detector is deterministic).
  const known = detected.get(text);
  if (known) return known;
  const r = detector().detect(text);
  const code = r.language ?? '';
  const confidence = code === '' ? 0 : (r.getScores()[code] ?? 0);
  const d: Detection = { code, name: languageName(code), confidence: Math.round(confidence * 100) / 100, reliable: code !== '' && r.isReliable() };
  if (detected.size >= DETECTED_MAX) detected.delete(detected.keys().next().value!);
  detected.set(text, d);
  return d;
}
/** The texts detected so far in this process, oldest first (a bound: a run's distinct replies). */
const detected = new Map<string, Detection>();
const DETECTED_MAX = 1000;
