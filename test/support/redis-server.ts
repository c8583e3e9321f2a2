// A real redis-server for tests and benchmarks, started on a free loopback port with no
// persistence, and stopped (or killed, to test Redis going away) by the caller. Not a test file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './net.ts';

export interface RedisServer {
  /** redis://[:password@]127.0.0.1:port (the plain port) */
  url: string;
  port: number;
  /** With `tls`: rediss://[:password@]127.0.0.1:tlsPort, and the CA file that signed its certificate. */
  tlsUrl?: string;
  caFile?: string;
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

export { freePort };

export interface RedisServerOptions {
  /** Restart where a killed server was (its clients reconnect there). */
  port?: number;
  password?: string;
  /** Also listen with TLS, on a self-signed certificate for 127.0.0.1 made with openssl. */
  tls?: boolean;
}

export async function startRedisServer(o: RedisServerOptions | number = {}): Promise<RedisServer> {
  const options = typeof o === 'number' ? { port: o } : o;
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'];
  if (options.password) args.push('--requirepass', options.password);
  let tls: { port: number; dir: string; caFile: string } | undefined;
  if (options.tls) {
    const dir = mkdtempSync(join(tmpdir(), 'apichat-redis-tls-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl could not make a test certificate: ${made.stderr}`);
    tls = { port: await freePort(), dir, caFile: cert };
    args.push('--tls-port', String(tls.port), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-ca-cert-file', cert, '--tls-auth-clients', 'no');
  }
  const child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
  const cleanup = (): void => void (tls && rmSync(tls.dir, { recursive: true, force: true }));
  child.once('exit', cleanup);
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    ...(tls ? { tlsUrl: `rediss://${auth}127.0.0.1:${tls.port}`, caFile: tls.caFile } : {}),
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
