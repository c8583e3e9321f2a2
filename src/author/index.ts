// Features written from the bot itself: the crawler, the recorder, and what they share.
export * from './model.ts';
export * from './observe.ts';
export * from './text-diff.ts';
export * from './generalise.ts';
export * from './feature-writer.ts';
export * from './crawler.ts';
export * from './crawl-files.ts';
export * from './record.ts';
export * from './terminal.ts';
export * from './rate.ts';
export * from './replay.ts';
export * from './simulated.ts';
