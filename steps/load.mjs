// Loads one of our TypeScript modules from a plain-JavaScript entry point (plugin, formatter,
// command): in the published package tsc has compiled it to the `.js` beside this file; in
// this repository only the `.ts` source exists, and tsx is registered (once) to load it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TSX = Symbol.for('apichat-bdd/tsx-registered');

/** `base`: a URL without extension, e.g. new URL('./plugin-run', import.meta.url). */
export async function importCompiledOrSource(base) {
  const js = new URL(`${base.href}.js`);
  if (existsSync(fileURLToPath(js))) return import(js.href);
  if (!globalThis[TSX]) {
    const { register } = await import('tsx/esm/api');
    register();
    globalThis[TSX] = true;
  }
  return import(`${base.href}.ts`);
}
