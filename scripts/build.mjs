// `npm run build`: dist/ = tsc's JavaScript and .d.ts for src/ and steps/, plus the runtime
// files tsc does not emit: the Cucumber entry points written in plain JavaScript (they load
// before any TypeScript loader), the bot files, and every src/**/assets/** file (read at
// runtime through new URL('./assets/…', import.meta.url), so they sit beside the compiled code).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

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
if (!existsSync(join(dist, 'src', 'index.js'))) throw new Error('build: dist/src/index.js is missing');
console.log(`build: wrote ${relative(process.cwd(), dist) || '.'}/`);
