// The package as `npm pack` makes it (prepack builds dist/), made once per content: the tarball
// is kept in the temp dir under a hash of every file that can go into it (the repository's
// tracked and untracked files outside test/, as they are now), so the integration tests of one
// run, and the next run if nothing changed, share it instead of building and packing again.
// Not a test file.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
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

/**
 * Makes `dir` once, across the test processes of a run and across runs: `make` fills a fresh
 * folder beside it, which is then renamed into place, so nobody sees half of it. While another
 * process holds the lock (`dir`.lock) this one waits for `dir` to appear, woken by the file
 * system (fs.watch), not by polling; if that process fails or dies, this one makes it.
 */
export async function madeOnce(dir: string, make: (work: string) => Promise<void>): Promise<void> {
  const lock = `${dir}.lock`;
  for (;;) {
    if (existsSync(dir)) return;
    try {
      mkdirSync(lock);
    } catch {
      if (lockIsStale(lock)) rmSync(lock, { recursive: true, force: true });
      else await gone(lock, dir);
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      const work = mkdtempSync(`${dir}.tmp-`);
      try {
        await make(work);
        renameSync(work, dir);
      } catch (e) {
        rmSync(work, { recursive: true, force: true });
        throw e;
      }
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/** A lock whose process is gone (killed mid-install): nobody will remove it. */
function lockIsStale(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // just made: its pid file is being written
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** Resolves once `lock` is gone or `dir` is there (a change in their folder re-checks). */
function gone(lock: string, dir: string): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      if (existsSync(lock) && !existsSync(dir) && !lockIsStale(lock)) return;
      watcher.close();
      resolve();
    };
    const watcher = watch(dirname(dir), done);
    done(); // it may have happened before the watch began
  });
}

async function pack(): Promise<Packed> {
  const dir = join(tmpdir(), `apichat-bdd-pack-${await contentHash()}`);
  await madeOnce(dir, async (work) => {
    const out = ok(await run('npm', ['pack', '--json', '--pack-destination', work, ...NPM_FLAGS.slice(1)], { drop: NOT_NPM, timeoutMs: 300_000 }), 'npm pack');
    // The prepack build's lines come first; npm's JSON starts on a line of its own.
    const info = JSON.parse(out.slice(out.search(/^\[/m), out.lastIndexOf(']') + 1)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    writeFileSync(join(work, 'pack.json'), JSON.stringify({ tarball: info[0]!.filename, files: info[0]!.files.map((f) => f.path) }));
  });
  const { tarball, files } = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')) as { tarball: string; files: string[] };
  return { tarball: join(dir, tarball), files };
}

/**
 * A fresh CommonJS project (`npm init -y`, then `npm install -D` the packed package) in `dir`.
 * The install is made once per tarball (beside it) and shared: the project gets its own copy of
 * package.json and a symlink to the shared node_modules. Node resolves modules by their real
 * path, so the package, Cucumber and the project's own steps meet the same instances, as in an
 * install of their own. A test may change the project's files, never node_modules.
 */
export async function installedProject(dir: string): Promise<Packed> {
  const p = await packed();
  const shared = join(dirname(p.tarball), 'installed');
  await madeOnce(shared, async (work) => {
    ok(await run('npm', ['init', '-y'], { cwd: work, drop: NOT_NPM }), 'npm init');
    ok(await run('npm', ['install', '-D', p.tarball, ...NPM_FLAGS], { cwd: work, drop: NOT_NPM, timeoutMs: 300_000 }), 'npm install');
  });
  mkdirSync(dir, { recursive: true });
  // Named after its own folder, as `npm init -y` there would name it.
  const pkg = JSON.parse(readFileSync(join(shared, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ ...pkg, name: basename(dir) }, null, 2)}\n`);
  symlinkSync(join(shared, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return p;
}
