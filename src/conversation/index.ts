export * from './conversation.ts';
export * from './expectations.ts';
export * from './variables.ts';
export * from './transcript.ts';
export * from './errors.ts';
export * from './tables.ts';
export * from './timing-model.ts';
