// Loopback ports for tests. Not a test file.
import { createServer, type AddressInfo } from 'node:net';

/**
 * A loopback port that was free a moment ago (bound, then closed): for a server that must be
 * started on a known port, or, left unused, a port nothing listens on (`closedPort`).
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A loopback port nothing listens on. */
export const closedPort = freePort;
