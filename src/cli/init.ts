// `apichat-bdd init`: scaffolds a test project in the current repository (docs/reference.md,
// "apichat-bdd init"). Never overwrites: every file that exists is left alone and listed
// as skipped; .gitignore only gets the lines it lacks; the two .vscode files only get the
// settings they lack (init-vscode.ts).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { line, UsageError, type Out } from './context.ts';
import {
  CUCUMBER_CONFIG,
  CUCUMBER_CONFIG_NAMES,
  EXAMPLE_FEATURE,
  EXAMPLE_STEPS,
  GITIGNORE_LINES,
  STEPS_PACKAGE_JSON,
  envExample,
} from './init-files.ts';
import { writeEditorFiles } from './init-vscode.ts';

export interface InitResult {
  created: string[];
  skipped: Array<{ path: string; why: string }>;
}

export function scaffold(dir: string): InitResult {
  if (!existsSync(join(dir, 'package.json'))) {
    throw new UsageError(`init: no package.json in ${dir}: run it in your bot's repository (or create one with \`npm init -y\`), after \`npm install -D apichat-bdd\``);
  }
  const result: InitResult = { created: [], skipped: [] };
  const existingConfig = CUCUMBER_CONFIG_NAMES.find((n) => existsSync(join(dir, n)));
  if (existingConfig) {
    result.skipped.push({ path: 'cucumber.mjs', why: `${existingConfig} exists: add apichat-bdd's import, plugin and format entries to it (node_modules/apichat-bdd/docs/reference.md, "apichat-bdd init")` });
  } else writeNew(dir, 'cucumber.mjs', CUCUMBER_CONFIG, result);
  writeNew(dir, 'features/example.feature', EXAMPLE_FEATURE, result);
  writeNew(dir, 'steps/example.steps.ts', EXAMPLE_STEPS, result);
  writeNew(dir, 'steps/package.json', STEPS_PACKAGE_JSON, result);
  writeNew(dir, '.env.example', envExample(), result);
  addGitignoreLines(dir, result);
  for (const o of writeEditorFiles(dir)) {
    if ('skipped' in o) result.skipped.push({ path: o.path, why: o.skipped });
    else result.created.push(o.created ? o.path : `${o.path} (added ${o.added.join(', ')})`);
  }
  return result;
}

function writeNew(dir: string, path: string, text: string, result: InitResult): void {
  const full = join(dir, path);
  if (existsSync(full)) {
    result.skipped.push({ path, why: 'exists' });
    return;
  }
  mkdirSync(dirname(full), { recursive: true });
  // 'wx': fail rather than overwrite, should the file appear meanwhile.
  writeFileSync(full, text, { flag: 'wx' });
  result.created.push(path);
}

function addGitignoreLines(dir: string, result: InitResult): void {
  const full = join(dir, '.gitignore');
  const text = existsSync(full) ? readFileSync(full, 'utf8') : '';
  const present = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const missing = GITIGNORE_LINES.filter((l) => !present.has(l) && !present.has(`/${l}`) && !present.has(l.replace(/\/$/, '')));
  if (missing.length === 0) {
    result.skipped.push({ path: '.gitignore', why: `already ignores ${GITIGNORE_LINES.join(', ')}` });
    return;
  }
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  writeFileSync(full, `${text}${sep}${missing.join('\n')}\n`);
  result.created.push(`.gitignore (${text === '' ? 'new, ' : 'added '}${missing.join(', ')})`);
}

export function initCommand(stdout: Out, dir: string): number {
  const r = scaffold(dir);
  for (const p of r.created) line(stdout, `  created  ${p}`);
  for (const s of r.skipped) line(stdout, `  skipped  ${s.path} (${s.why})`);
  if (!resolvable(dir, '@cucumber/cucumber/package.json')) {
    line(stdout, '  note     @cucumber/cucumber is not installed (an older npm, or --legacy-peer-deps): npm install -D @cucumber/cucumber@12');
  }
  line(stdout, '');
  line(stdout, 'Next:');
  line(stdout, '  npx cucumber-js             # runs features/ against the embedded simulator (demo bot)');
  line(stdout, '  cp .env.example .env        # then fill in your bot\'s APICHAT_* values');
  line(stdout, '  npx apichat-bdd doctor      # checks the live setup; npx cucumber-js then runs against your bot');
  line(stdout, 'The manual: node_modules/apichat-bdd/docs/ (writing-features.md, live-mode.md, reference.md)');
  line(stdout, '  code .                      # VS Code: install the recommended Cucumber extension for step completion');
  return 0;
}

/** Whether the project can import `specifier` (the steps it writes import @cucumber/cucumber). */
function resolvable(dir: string, specifier: string): boolean {
  try {
    createRequire(join(dir, 'package.json')).resolve(specifier);
    return true;
  } catch {
    return false;
  }
}
