// The AI layer (between conversation and client): model configuration, the one model client,
// the on-disk cache, and what is built on them.
export * from './config.ts';
export * from './client.ts';
export * from './cache.ts';
export * from './faults.ts';
export * from './models.ts';
export * from './user-model.ts';
export * from './simulated-user.ts';
export * from './conversation-judge.ts';
export * from './judge.ts';
export * from './similarity.ts';
export * from './language.ts';
