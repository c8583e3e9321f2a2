// `npm run build`: dist/ = tsc's JavaScript and .d.ts for src/ and steps/, plus the runtime
// files tsc does not emit: the Cucumber entry points written in plain JavaScript (they load
// before any TypeScript loader), the bot files, every src/**/assets/** file (read at
// runtime through new URL('./assets/…', import.meta.url), so they sit beside the compiled code),
// and the bot-file JSON Schema generated from the zod schema (dist/schema/, and schema/ in the
// repository, which the demo bot's `# yaml-language-server: $schema=` line points at).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

function copy(from) {
  const to = join(dist, relative(root, from));
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
}

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

for (const file of walk(join(root, 'steps'))) if (/\.(mjs|js)$/.test(file)) copy(file);
for (const file of walk(join(root, 'bots'))) if (/\.(ya?ml|json)$/.test(file)) copy(file);
for (const file of walk(join(root, 'src'))) if (file.split(/[\\/]/).includes('assets')) copy(file);
const { botJsonSchema, BOT_SCHEMA_FILE } = await import(pathToFileURL(join(dist, 'src', 'simulator', 'bot-json-schema.js')).href);
const schemaText = `${JSON.stringify(botJsonSchema(), null, 2)}\n`;
for (const dir of [join(dist, 'schema'), join(root, 'schema')]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, BOT_SCHEMA_FILE), schemaText);
}
if (!existsSync(join(dist, 'src', 'index.js'))) throw new Error('build: dist/src/index.js is missing');
console.log(`build: wrote ${relative(process.cwd(), dist) || '.'}/`);
