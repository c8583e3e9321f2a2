// Where crawled scenarios go: one feature file per start message and first branch
// ("hi.feature" for the start alone, "hi--rooms.feature" for everything after tapping Rooms).
import type { CrawledScenario } from './crawler.ts';
import type { FeatureDoc } from './model.ts';
import type { Action } from './observe.ts';

export function slug(s: string): string {
  const out = s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return out || 'x';
}

function branchLabel(a: Action): string {
  if (a.kind === 'tap') return a.card === undefined ? a.title : `${a.title} on ${a.card}`;
  return a.kind === 'say' ? a.text : a.media;
}

export interface CrawlFile {
  /** File name inside the output directory. */
  name: string;
  doc: FeatureDoc;
}

export function groupIntoFiles(scenarios: readonly CrawledScenario[], depth: number): CrawlFile[] {
  const files = new Map<string, CrawlFile>();
  const used = new Set<string>();
  for (const s of scenarios) {
    const key = JSON.stringify([s.start, s.branch && branchLabel(s.branch)]);
    let file = files.get(key);
    if (!file) {
      const base = s.branch ? `${slug(s.start)}--${slug(branchLabel(s.branch))}` : slug(s.start);
      let name = `${base}.feature`;
      for (let n = 2; used.has(name); n++) name = `${base}-${n}.feature`;
      used.add(name);
      const title = s.branch ? `After ${JSON.stringify(s.start)}, ${branchLabel(s.branch)}` : `Start: ${JSON.stringify(s.start)}`;
      file = {
        name,
        doc: {
          name: title,
          description: [
            `Written by \`apichat-bdd crawl\` (depth ${depth}) from what the bot answered; each scenario is one`,
            'path of taps. Replies that changed between two visits are checked with `matching /…/`.',
          ],
          scenarios: [],
        },
      };
      files.set(key, file);
    }
    file.doc.scenarios.push(s.doc);
  }
  return [...files.values()];
}
