// Binding the run's listener (or `apichat-bdd listen`'s) with the failures a user can cause
// turned into one-line errors naming the variable to change.
import { ApiChatError } from '../base/errors.ts';
import { startListener, type ListenerOptions, type RunningListener } from './listener.ts';

/** Whether a bind failed because something already listens there. */
export function isAddressInUse(e: unknown): boolean {
  return e instanceof ApiChatError && e.code === 'APICHAT_LISTEN' && (e.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/** startListener, with EADDRINUSE / EADDRNOTAVAIL / ENOTFOUND / EAI_AGAIN / EACCES as APICHAT_LISTEN errors. */
export async function bindListener(o: ListenerOptions & { host: string; port: number }): Promise<RunningListener> {
  try {
    return await startListener(o);
  } catch (e) {
    const why = bindFailure((e as NodeJS.ErrnoException).code, o.host, o.port);
    if (!why) throw e;
    throw new ApiChatError('APICHAT_LISTEN', why.message, { variable: why.variable, cause: e });
  }
}

function bindFailure(code: string | undefined, host: string, port: number): { variable: string; message: string } | undefined {
  switch (code) {
    case 'EADDRINUSE':
      return { variable: 'APICHAT_LISTEN_PORT', message: `APICHAT_LISTEN_PORT: port ${port} on ${host} is in use (another \`apichat-bdd listen\` or test run?); stop it or choose another port` };
    case 'EACCES':
      return { variable: 'APICHAT_LISTEN_PORT', message: `APICHAT_LISTEN_PORT: not allowed to bind port ${port} on ${host}; choose a port above 1023` };
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { variable: 'APICHAT_LISTEN_HOST', message: `APICHAT_LISTEN_HOST: cannot bind to ${host} on this machine; use 127.0.0.1 or 0.0.0.0` };
    default:
      return undefined;
  }
}
