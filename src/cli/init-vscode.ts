// What `apichat-bdd init` adds for VS Code: .vscode/settings.json, so that the official Cucumber
// extension's language server finds the built-in steps (compiled in node_modules/apichat-bdd/
// dist/steps/, where its default glue never looks) and the two parameter types it cannot read
// there; and .vscode/extensions.json recommending the extensions. Existing files are merged key
// by key, never overwritten; a file with comments (VS Code allows them) is left alone with one
// line saying what to add, since rewriting it would drop the comments.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EDITOR_PARAMETER_TYPES } from '../conversation/parameter-types.ts';
import { BOT_SCHEMA_FILE } from '../simulator/bot-json-schema.ts';

export const CUCUMBER_EXTENSION = 'CucumberOpen.cucumber-official';
export const YAML_EXTENSION = 'redhat.vscode-yaml';
export const PACKAGE_STEPS_GLUE = 'node_modules/apichat-bdd/dist/steps/**/*.js';

/** The settings init writes (docs/editor.md explains each). */
export function editorSettings(): Record<string, unknown> {
  return {
    'cucumber.features': ['features/**/*.feature'],
    'cucumber.glue': ['steps/**/*.{ts,mts,js,mjs}', PACKAGE_STEPS_GLUE],
    'cucumber.parameterTypes': EDITOR_PARAMETER_TYPES.map((p) => ({ ...p })),
    // Bot files for the simulator get completion and checking without a $schema line of their own.
    'yaml.schemas': { [`node_modules/apichat-bdd/dist/schema/${BOT_SCHEMA_FILE}`]: 'bots/*.{yaml,yml}' },
  };
}

export const EDITOR_RECOMMENDATIONS = [CUCUMBER_EXTENSION, YAML_EXTENSION];

export type MergeOutcome = { path: string; created: boolean; added: string[] } | { path: string; skipped: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Adds what `wanted` has and `current` lacks: missing keys, missing array entries, missing object keys, parameter types by name. */
export function mergeSettings(current: Json, wanted: Json): string[] {
  const added: string[] = [];
  for (const [key, value] of Object.entries(wanted)) {
    const have = current[key];
    if (have === undefined) {
      current[key] = value;
      added.push(key);
    } else if (Array.isArray(have) && Array.isArray(value)) {
      const same = (a: unknown, b: unknown): boolean =>
        isObject(a) && isObject(b) && 'name' in b ? a.name === b.name : typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : JSON.stringify(a) === JSON.stringify(b);
      const missing = value.filter((v) => !have.some((h) => same(h, v)));
      if (missing.length > 0) {
        have.push(...missing);
        added.push(`${key} (+${missing.length})`);
      }
    } else if (isObject(have) && isObject(value)) {
      const missing = Object.keys(value).filter((k) => !(k in have));
      for (const k of missing) have[k] = value[k];
      if (missing.length > 0) added.push(`${key} (+${missing.length})`);
    }
    // Anything else is the user's own choice of another shape: left as it is.
  }
  return added;
}

function mergeFile(dir: string, path: string, wanted: Json, what: string): MergeOutcome {
  const full = join(dir, path);
  if (!existsSync(full)) {
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, `${JSON.stringify(wanted, null, 2)}\n`, { flag: 'wx' });
    return { path, created: true, added: Object.keys(wanted) };
  }
  const text = readFileSync(full, 'utf8');
  let current: unknown;
  try {
    current = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return { path, skipped: `not plain JSON (comments or trailing commas?), left as it is: add ${what} by hand (docs/editor.md)` };
  }
  if (!isObject(current)) return { path, skipped: `not a JSON object, left as it is: add ${what} by hand (docs/editor.md)` };
  const added = mergeSettings(current, wanted);
  if (added.length === 0) return { path, skipped: `already has ${what}` };
  writeFileSync(full, `${JSON.stringify(current, null, 2)}\n`);
  return { path, created: false, added };
}

export function writeEditorFiles(dir: string): MergeOutcome[] {
  const settings = editorSettings();
  return [
    mergeFile(dir, '.vscode/settings.json', settings, Object.keys(settings).join(', ')),
    mergeFile(dir, '.vscode/extensions.json', { recommendations: EDITOR_RECOMMENDATIONS }, `"recommendations": ${JSON.stringify(EDITOR_RECOMMENDATIONS)}`),
  ];
}
