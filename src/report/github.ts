// GitHub Actions output from the report model: workflow-command annotations (one ::error per
// failed step, at its feature file and line; one ::warning per flaky scenario) and the Markdown
// job summary. GitHub shows at most 10 annotations of a type per job step: past 10, one ::notice
// counts the rest. The job summary has a 1 MiB limit per step: it is cut to fit.
import { formatCoverageLine, describeButton } from './coverage.ts';
import { describeFlaky } from './flaky.ts';
import { formatDuration } from './chat.ts';
import type { ReportModel, ScenarioReport } from './model.ts';

/** GitHub shows at most this many error (and warning) annotations per job step. */
export const ANNOTATIONS_PER_STEP = 10;
/** GitHub's limit for one step's summary is 1 MiB; this leaves room for what other steps' tools add. */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024 - 16 * 1024;

/** A workflow command's message: `%`, CR and LF escaped (as @actions/core does). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow command's property value: as data, and `:` and `,` too (they separate properties). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function workflowCommand(command: 'error' | 'warning' | 'notice', properties: Record<string, string | number | undefined>, message: string): string {
  const props = Object.entries(properties)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}

export interface FailedStep {
  scenario: ScenarioReport;
  step: string;
  line: number;
  message: string;
}

/** Every step that did not pass (nor was skipped) in the final attempt of every scenario. */
export function failedSteps(model: ReportModel): FailedStep[] {
  const out: FailedStep[] = [];
  for (const s of model.features.flatMap((f) => f.scenarios)) {
    for (const st of s.steps) {
      if (st.status === 'passed' || st.status === 'skipped' || st.status === 'unknown') continue;
      out.push({ scenario: s, step: `${st.keyword}${st.text}`.trim(), line: st.line ?? s.line, message: st.message ?? st.status });
    }
  }
  return out;
}

/** The annotation lines for a finished run (print them on the job's stdout). */
export function annotationLines(model: ReportModel): string[] {
  const failed = failedSteps(model);
  const lines = failed.slice(0, ANNOTATIONS_PER_STEP).map((f) =>
    workflowCommand('error', { file: f.scenario.uri, line: f.line, title: f.scenario.name }, `${f.step}\n${f.message}`),
  );
  const flaky = model.flaky;
  lines.push(...flaky.slice(0, ANNOTATIONS_PER_STEP).map((s) => workflowCommand('warning', { file: s.uri, line: s.line, title: `flaky: ${s.name}` }, describeFlaky(s))));
  const more: string[] = [];
  if (failed.length > ANNOTATIONS_PER_STEP) more.push(`${failed.length - ANNOTATIONS_PER_STEP} more failed step${failed.length - ANNOTATIONS_PER_STEP === 1 ? '' : 's'}`);
  if (flaky.length > ANNOTATIONS_PER_STEP) more.push(`${flaky.length - ANNOTATIONS_PER_STEP} more flaky scenario${flaky.length - ANNOTATIONS_PER_STEP === 1 ? '' : 's'}`);
  if (more.length) lines.push(workflowCommand('notice', { title: 'apichat-bdd' }, `${more.join(' and ')} not annotated (GitHub shows ${ANNOTATIONS_PER_STEP} per step): see the job summary and the conversation report`));
  return lines;
}

/** A fenced block that its content cannot close. */
function fenced(text: string, lang = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const MAX_MESSAGE_CHARS = 20_000;

/** The Markdown job summary, at most `limit` bytes (UTF-8). */
export function jobSummary(model: ReportModel, limit = SUMMARY_LIMIT_BYTES): string {
  const all = model.features.flatMap((f) => f.scenarios);
  const c = model.counts;
  const broken = c.failed + c.ambiguous + c.undefined + c.pending;
  const icon = broken > 0 ? '❌' : '✅';
  const head = [
    `## ${icon} Conversation tests: ${broken > 0 ? `${broken} failed` : 'passed'}`,
    '',
    '| Scenarios | Passed | Failed | Flaky | Skipped | Duration |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${all.length} | ${c.passed} | ${broken} | ${model.flaky.length} | ${c.skipped} | ${formatDuration(model.durationMs)} |`,
    '',
  ].join('\n');
  const tail: string[] = [];
  if (model.flaky.length) {
    tail.push('### Flaky (failed, then passed on a retry)', '', ...model.flaky.map((s) => `- ${cell(describeFlaky(s))}`), '');
  }
  if (model.coverage.conversations > 0) {
    const untapped = model.coverage.buttons.filter((b) => b.tapped === 0);
    tail.push('### Bot coverage', '', formatCoverageLine(model.coverage), '');
    if (untapped.length) {
      tail.push('<details><summary>Never tapped buttons</summary>', '', ...untapped.slice(0, 200).map((b) => `- ${cell(describeButton(b))}`), ...(untapped.length > 200 ? [`- … and ${untapped.length - 200} more`] : []), '', '</details>', '');
    }
  }
  const tailText = tail.join('\n');
  const failures = failedSteps(model).map((f) => {
    const message = f.message.length > MAX_MESSAGE_CHARS ? `${f.message.slice(0, MAX_MESSAGE_CHARS)}\n… (cut: the full message is in the conversation report)` : f.message;
    return [`#### ✗ ${cell(f.scenario.name)}`, '', `\`${f.scenario.uri}:${f.line}\` ${cell(f.step)}`, '', fenced(message), ''].join('\n');
  });
  const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
  let body = failures.length ? '### Failures\n\n' : '';
  let used = bytes(head) + bytes(tailText) + bytes(body);
  let shown = 0;
  const reserve = 200; // the "and N more" line
  for (const f of failures) {
    if (used + bytes(f) + reserve > limit) break;
    body += `${f}\n`;
    used += bytes(f) + 1;
    shown++;
  }
  if (shown < failures.length) body += `… and ${failures.length - shown} more failure${failures.length - shown === 1 ? '' : 's'}, left out to keep this summary under GitHub's 1 MiB: see the conversation report.\n\n`;
  const out = `${head}\n${body}${tailText}`;
  // Head and tail alone over the limit (thousands of untapped buttons): cut at a line.
  return bytes(out) <= limit ? out : `${Buffer.from(out).subarray(0, limit - 64).toString('utf8').replace(/\n[^\n]*$/, '')}\n\n… (cut to GitHub's size limit)\n`;
}
