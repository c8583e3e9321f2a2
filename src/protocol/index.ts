export * from './incoming.ts';
export * from './outgoing.ts';
export * from './message.ts';
export * from './signature.ts';
export * from './handshake.ts';
export * from './partner.ts';
export * from './turn-done.ts';
