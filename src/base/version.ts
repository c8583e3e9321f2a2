// The package's own version, read from its package.json (the nearest one named apichat-bdd above
// this file), so it works from src/ under tsx and from a compiled build alike.
import { readFileSync } from 'node:fs';

export function packageVersion(from: string | URL = import.meta.url): string {
  for (let dir = new URL('./', from); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'apichat-bdd' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here (or not ours): look one level up
    }
    if (new URL('../', dir).href === dir.href) return 'unknown';
  }
}
