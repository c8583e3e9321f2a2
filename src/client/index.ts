export * from './errors.ts';
export * from './bot-client.ts';
export * from './partner-client.ts';
export { sharedAgent, closeSharedAgent, TransportError, MAX_RETRIES, RETRY_DELAYS_MS, type FailureKind } from './http.ts';
