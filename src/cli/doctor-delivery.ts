// The doctor's check 4: APICHAT_PUBLIC_URL reaches the listener. A signed test delivery is posted
// to the public URL and must arrive in the doctor's temporary listener, or, when a listener
// already holds the port (`apichat-bdd listen`), be answered 200 by it.
import { randomBytes } from 'node:crypto';
import { sendHttp, sharedAgent, TransportError } from '../client/http.ts';
import { secretsOf, type LiveConfig } from '../config.ts';
import { isApiChatError, redact } from '../base/errors.ts';
import { bindListener, isAddressInUse, type MemoryStore, type RunningListener } from '../inbox/index.ts';
import { buildTextReply, sign, SIGNATURE_HEADER } from '../protocol/index.ts';
import { oneLine } from '../base/text.ts';
import { DOCTOR_WAIT_MS, type Checklist } from './doctor-checks.ts';

export interface DoctorListener {
  /** The doctor's own temporary listener, when it could bind the port. */
  listener?: RunningListener;
  /** Something already listens on the port: the test delivery goes to it. */
  runningElsewhere: boolean;
  bindError?: string;
}

export async function bindDoctorListener(config: LiveConfig, store: MemoryStore): Promise<DoctorListener> {
  try {
    const listener = await bindListener({ secret: config.webhookSecret, store, path: config.webhookPath, host: config.listenHost, port: config.listenPort });
    return { listener, runningElsewhere: false };
  } catch (e) {
    if (isAddressInUse(e)) return { runningElsewhere: true };
    if (isApiChatError(e)) return { runningElsewhere: false, bindError: e.message };
    throw e;
  }
}

/** 4. Posts the signed test delivery and says what came of it. True when it arrived (or was answered 200). */
export async function checkDelivery(config: LiveConfig, store: MemoryStore, bound: DoctorListener, list: Checklist): Promise<boolean> {
  const { listener, runningElsewhere } = bound;
  const local = listener?.localUrl ?? `http://${config.listenHost}:${config.listenPort}${config.webhookPath}`;
  const target = config.publicUrl ?? local;
  const what = config.publicUrl ? `APICHAT_PUBLIC_URL (${config.publicUrl}) reaches the listener` : `the listener answers at ${local} (APICHAT_PUBLIC_URL is not set)`;
  if (bound.bindError) list.fail(what, bound.bindError);
  if (!listener && !runningElsewhere) return false;
  const outcome = await postTestDelivery(store, target, config.webhookSecret, secretsOf(config), runningElsewhere);
  const tunnel = config.publicUrl ? `check APICHAT_PUBLIC_URL and that the tunnel is up and forwards to ${local}` : `check APICHAT_LISTEN_HOST and APICHAT_LISTEN_PORT`;
  const elsewhere = `${config.listenHost}:${config.listenPort}`;
  if (outcome.ok) {
    list.pass(runningElsewhere ? `${what} (a listener already running on ${elsewhere} answered 200 to a signed test delivery; the doctor used it)` : `${what} (a signed test delivery arrived in ${outcome.ms} ms)`);
  } else if (outcome.kind === 'unreachable') {
    list.fail(what, `${outcome.detail}: the platform could not deliver replies either — ${tunnel}`);
  } else if (outcome.kind === 'status') {
    const whose = runningElsewhere ? `the listener already running on ${elsewhere}` : 'the listener';
    const why =
      outcome.status === 401 || outcome.status === 403
        ? `it was signed with APICHAT_WEBHOOK_SECRET, so what answers is not ${whose} or runs with another secret — ${tunnel}${runningElsewhere ? ', and restart that listener with the same APICHAT_WEBHOOK_SECRET' : ''}`
        : tunnel;
    list.fail(what, `${target} answered HTTP ${outcome.status} (${outcome.detail}) to a signed test delivery instead of 200: ${why}`);
  } else {
    list.fail(what, `${target} answered 200, but the signed test delivery did not reach this machine's listener (${local}) within ${DOCTOR_WAIT_MS} ms: something else answers there — ${tunnel}`);
  }
  return outcome.ok;
}

type DeliveryOutcome =
  | { ok: true; ms: number }
  | { ok: false; kind: 'unreachable'; detail: string }
  | { ok: false; kind: 'status'; status: number; detail: string }
  | { ok: false; kind: 'not-arrived' };

/** POST a signed, normalisable test delivery to `target`; with our own listener, wait for it to arrive. */
async function postTestDelivery(store: MemoryStore, target: string, secret: string, secrets: string[], runningElsewhere: boolean): Promise<DeliveryOutcome> {
  const senderId = `doctor-${randomBytes(6).toString('hex')}`;
  const body = JSON.stringify(buildTextReply({ sender_id: senderId, conv_id: 0 }, 'apichat-bdd doctor: test delivery'));
  const started = performance.now();
  const stop = new AbortController();
  let arrived: Promise<unknown> | undefined;
  if (!runningElsewhere) {
    store.register(senderId);
    arrived = store.waitFor(senderId, () => true, { timeoutMs: DOCTOR_WAIT_MS, signal: stop.signal });
    arrived.catch(() => undefined);
  }
  try {
    let res;
    try {
      res = await sendHttp({
        url: new URL(target),
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(body, secret) },
        body,
        timeoutMs: DOCTOR_WAIT_MS,
        dispatcher: sharedAgent(),
        secrets,
      });
    } catch (e) {
      if (e instanceof TransportError) return { ok: false, kind: 'unreachable', detail: e.message };
      throw e;
    }
    if (res.status !== 200) {
      return { ok: false, kind: 'status', status: res.status, detail: oneLine(redact(res.text, secrets), 80) || 'empty body' };
    }
    if (!arrived) return { ok: true, ms: Math.round(performance.now() - started) };
    try {
      await arrived;
      return { ok: true, ms: Math.round(performance.now() - started) };
    } catch {
      return { ok: false, kind: 'not-arrived' };
    }
  } finally {
    stop.abort();
    store.unregister(senderId);
  }
}
