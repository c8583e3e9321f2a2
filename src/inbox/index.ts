export * from './store.ts';
export * from './listener.ts';
export * from './bind.ts';
export * from './inbox.ts';
export * from './control.ts';
export * from './remote.ts';
export * from './wire.ts';
