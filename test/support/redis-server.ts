// A real redis-server for tests and benchmarks, started on a free loopback port with no
// persistence, and stopped (or killed, to test Redis going away) by the caller. Not a test file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface RedisServer {
  url: string;
  port: number;
  /** e.g. "Redis server v=7.0.15" */
  version: string;
  /** SIGKILL: Redis vanishes mid-run, as a crashed or evicted service would. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const BINARY = process.env.REDIS_SERVER ?? 'redis-server';

/** Why Redis tests cannot run here, or null when redis-server is available. */
export function redisUnavailable(): string | null {
  const r = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? `${BINARY} is not installed (apt-get install redis-server; .ci/run does this)` : null;
}

/**
 * The skip option for node:test: skip locally with the reason, but never under CI=true, where a
 * missing redis-server must fail the run rather than hide the Redis tests.
 */
export function skipWithoutRedis(): string | false {
  const reason = redisUnavailable();
  if (reason && process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
  return reason ?? false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A new server; `port` to restart one where a killed one was (its clients reconnect there). */
export async function startRedisServer(port?: number): Promise<RedisServer> {
  port ??= await freePort();
  const child = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.resume();
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${out}`)));
    child.once('error', reject);
  });
  const ended = (c: ChildProcess): Promise<void> =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((resolve) => c.once('exit', () => resolve()));
  const version = /Redis server v=\S+/.exec(spawnSync(BINARY, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[0] ?? 'Redis server';
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    version,
    kill: async () => {
      child.kill('SIGKILL');
      await ended(child);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await ended(child);
    },
  };
}
