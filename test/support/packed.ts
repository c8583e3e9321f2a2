// The package as `npm pack` makes it (prepack builds dist/), made once per content: the tarball
// is kept in the temp dir under a hash of every file that can go into it (the repository's
// tracked and untracked files outside test/, as they are now), so the integration tests of one
// run, and the next run if nothing changed, share it instead of building and packing again.
// Not a test file.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run, type RunResult } from './process.ts';

/** npm flags for quick, quiet installs: npm's cache is warm locally and the registry reachable in CI. */
export const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
/** npm's own npm_* variables (set when the tests run under `npm test`) must not reach a nested npm. */
export const NOT_NPM = /^npm_/i;

export interface Packed {
  /** The tarball's absolute path. */
  tarball: string;
  /** The paths inside it, as `npm pack --json` lists them. */
  files: string[];
}

export function ok(r: RunResult, what: string): string {
  assert.equal(r.code, 0, `${what} failed:\n${r.output}`);
  return r.output;
}

/** A hash of what the package is made from. */
async function contentHash(): Promise<string> {
  const listed = ok(await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { drop: NOT_NPM }), 'git ls-files');
  const hash = createHash('sha256');
  for (const path of listed.split('\0').filter((p) => p !== '' && !p.startsWith('test/')).sort()) {
    const file = join(ROOT, path);
    hash.update(`${path}\0`);
    if (existsSync(file)) hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

let packing: Promise<Packed> | undefined;

/** The package's tarball for the source as it is now, packed at most once per content. */
export function packed(): Promise<Packed> {
  return (packing ??= pack());
}

async function pack(): Promise<Packed> {
  const dir = join(tmpdir(), `apichat-bdd-pack-${await contentHash()}`);
  const manifest = join(dir, 'pack.json');
  if (!existsSync(manifest)) {
    // Packed beside the final place, then renamed into it: another run never sees half a cache.
    const work = mkdtempSync(`${dir}.tmp-`);
    const out = ok(await run('npm', ['pack', '--json', '--pack-destination', work, ...NPM_FLAGS.slice(1)], { drop: NOT_NPM, timeoutMs: 300_000 }), 'npm pack');
    // The prepack build's lines come first; npm's JSON starts on a line of its own.
    const info = JSON.parse(out.slice(out.search(/^\[/m), out.lastIndexOf(']') + 1)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    writeFileSync(join(work, 'pack.json'), JSON.stringify({ tarball: info[0]!.filename, files: info[0]!.files.map((f) => f.path) }));
    try {
      renameSync(work, dir);
    } catch {
      rmSync(work, { recursive: true, force: true }); // packed at the same time by another run: theirs is the same
    }
  }
  const { tarball, files } = JSON.parse(readFileSync(manifest, 'utf8')) as { tarball: string; files: string[] };
  return { tarball: join(dir, tarball), files };
}

/** A fresh CommonJS project (`npm init -y`) in `dir` with the packed package installed as a dev dependency. */
export async function installedProject(dir: string): Promise<Packed> {
  const p = await packed();
  mkdirSync(dir, { recursive: true });
  ok(await run('npm', ['init', '-y'], { cwd: dir, drop: NOT_NPM }), 'npm init');
  ok(await run('npm', ['install', '-D', p.tarball, ...NPM_FLAGS], { cwd: dir, drop: NOT_NPM, timeoutMs: 300_000 }), 'npm install');
  return p;
}
