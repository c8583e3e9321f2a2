export * from './envelopes.ts';
export * from './escape.ts';
export * from './chat.ts';
export * from './coverage.ts';
export * from './model.ts';
export * from './html.ts';
export * from './svg.ts';
export * from './merge.ts';
