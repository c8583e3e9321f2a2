// A failed step in the conversation report: the box drawn in the chat where the step failed
// (expected, the diff against the nearest reply, the unclaimed replies, the step's data table)
// and the step's own data table or doc string in the step list.
import { renderCompact } from '../protocol/index.ts';
import { formatSince, type CheckItem } from './chat.ts';
import { escapeHtml as h } from './escape.ts';
import type { ScenarioReport, StepReport } from './model.ts';

/** A step's data table (header row first) or doc string, as the feature file wrote it. */
export function stepArgument(st: Pick<StepReport, 'table' | 'docString'> | undefined): string {
  const [head, ...body] = st?.table ?? [];
  if (head) {
    const row = (cells: string[], tag: string): string => `<tr>${cells.map((c) => `<${tag}>${h(c)}</${tag}>`).join('')}</tr>`;
    return `<table class="step-table"><thead>${row(head, 'th')}</thead><tbody>${body.map((r) => row(r, 'td')).join('')}</tbody></table>`;
  }
  if (st?.docString !== undefined) return `<pre class="doc-string">${h(st.docString)}</pre>`;
  return '';
}

/** jest-diff lines: `- ` expected, `+ ` actual, `? ` markers under changed characters. */
export function diffHtml(diff: NonNullable<CheckItem['diff']>): string {
  const cls = (l: string): string => (l.startsWith('- ') ? 'del' : l.startsWith('+ ') ? 'ins' : l.startsWith('? ') ? 'mark' : 'same');
  const lines = diff.lines.map((l) => `<span class="${cls(l)}">${h(l)}</span>`).join('\n');
  return `<div class="diff"><h5>Nearest reply: ${h(diff.headline)}</h5><pre>${lines}</pre></div>`;
}

export function renderCheck(c: CheckItem, s: ScenarioReport | undefined): string {
  const candidates = s?.steps.filter((st) => !st.hook && st.text === c.step) ?? [];
  const step = candidates.find((st) => st.status === 'failed') ?? candidates[0];
  const label = `${step?.keyword ?? ''}${c.step}`.trim();
  const unclaimed = c.unclaimed.length
    ? `<ul>${c.unclaimed.map((u) => `<li><code>${h(renderCompact(u.message))}</code> <span class="since">${h(formatSince(u.sinceActionMs))}</span></li>`).join('')}</ul>`
    : '<p class="none">no unclaimed reply in this turn</p>';
  return `<div class="row check failed" data-turn="${c.turn}"><div class="check-box">
<div class="check-title">✗ Step failed: <b>${h(label)}</b></div>${stepArgument(step)}
<div class="check-headline">${h(c.headline)}</div>
<div class="cmp"><div class="expected"><h5>Expected</h5><p>${h(c.expected ?? c.step)}</p></div><div class="received"><h5>Unclaimed replies in turn ${c.turn}</h5>${unclaimed}</div></div>
${c.diff ? diffHtml(c.diff) : ''}
${c.error ? `<details class="full-error"><summary>Full message</summary><pre class="error">${h(c.error)}</pre></details>` : ''}
</div></div>`;
}

/** A failure with no place in a chat (a hook, a step before any conversation): the message as it is. */
export function renderLooseFailure(s: ScenarioReport, f: NonNullable<ScenarioReport['failure']>): string {
  const step = s.steps.find((st) => st.status !== 'passed' && `${st.keyword}${st.text}`.trim() === f.step);
  return `<div class="row check failed"><div class="check-box"><div class="check-title">✗ ${h(f.status === 'failed' ? 'Failed' : f.status)}: <b>${h(f.step)}</b></div>${stepArgument(step)}<pre class="error">${h(f.message)}</pre></div></div>`;
}
