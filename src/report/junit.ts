// Surefire-style JUnit XML (what Jenkins and GitLab read) from the report model: one <testsuite>,
// one <testcase> per scenario (classname = the feature), <failure> for a failed check, <error>
// for an undefined, ambiguous or pending step, <skipped/>. Under --retry every earlier attempt
// stays: <flakyFailure>/<flakyError> in a test case that passed in the end (Cucumber's own
// junit formatter drops them), <rerunFailure>/<rerunError> in one that failed every time.
// Children follow the order of the Surefire schema's testcase sequence.
import { renderTranscript } from '../conversation/transcript.ts';
import { escapeXml as x } from './escape.ts';
import type { ReportModel, ScenarioReport, Status } from './model.ts';

type Kind = 'failure' | 'error' | 'skipped' | 'passed';

function kindOf(status: Status): Kind {
  if (status === 'passed') return 'passed';
  if (status === 'failed') return 'failure';
  if (status === 'skipped' || status === 'unknown') return 'skipped';
  return 'error'; // undefined, ambiguous, pending: the suite is broken, not the bot
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

function output(s: ScenarioReport): string {
  return s.transcripts.map(renderTranscript).join('\n\n');
}

/** The message attribute: the failure's first line, with the step it failed at. */
function headline(s: ScenarioReport): string {
  const f = s.failure;
  if (!f) return s.status;
  return `${f.step}: ${f.message.split('\n')[0] ?? ''}`;
}

function detail(s: ScenarioReport): string {
  return s.failure ? `${s.failure.step}\n${s.failure.message}` : s.status;
}

/** An earlier attempt as flaky… or rerun… (its stack trace is the failure message, its output the chat). */
function attempt(r: ScenarioReport, prefix: 'flaky' | 'rerun'): string {
  const kind = kindOf(r.status);
  if (kind === 'passed' || kind === 'skipped') return '';
  const tag = `${prefix}${kind === 'failure' ? 'Failure' : 'Error'}`;
  const out = output(r);
  return `      <${tag} message="${x(headline(r))}" type="${x(r.failure?.status ?? r.status)}"><stackTrace>${x(detail(r))}</stackTrace>${out ? `<system-out>${x(out)}</system-out>` : ''}</${tag}>\n`;
}

function testcase(s: ScenarioReport, classname: string, name = s.name): string {
  const kind = kindOf(s.status);
  const earlier = (prefix: 'flaky' | 'rerun', which: Kind): string =>
    s.retried.filter((r) => kindOf(r.status) === which).map((r) => attempt(r, prefix)).join('');
  const prefix = kind === 'passed' ? 'flaky' : 'rerun';
  let body = '';
  if (kind === 'failure') body += `      <failure message="${x(headline(s))}" type="${x(s.failure?.status ?? 'failed')}">${x(detail(s))}</failure>\n`;
  body += earlier(prefix, 'failure');
  if (kind === 'skipped') body += '      <skipped/>\n';
  if (kind === 'error') body += `      <error message="${x(headline(s))}" type="${x(s.failure?.status ?? s.status)}">${x(detail(s))}</error>\n`;
  body += earlier(prefix, 'error');
  const out = output(s);
  if (out) body += `      <system-out>${x(out)}</system-out>\n`;
  const attrs = `name="${x(name)}" classname="${x(classname)}" time="${seconds(s.durationMs)}"`;
  return body ? `    <testcase ${attrs}>\n${body}    </testcase>\n` : `    <testcase ${attrs}/>\n`;
}

export function renderJunitXml(model: ReportModel, suiteName = 'apichat-bdd'): string {
  const scenarios = model.features.flatMap((f) => f.scenarios.map((s) => ({ f, s })));
  const count = (k: Kind): number => scenarios.filter(({ s }) => kindOf(s.status) === k).length;
  // CI servers key test cases by classname + name: outline rows that share a name get their line.
  const key = ({ f, s }: (typeof scenarios)[number]): string => `${f.name}\u0000${s.name}`;
  const seen = new Map<string, number>();
  for (const c of scenarios) seen.set(key(c), (seen.get(key(c)) ?? 0) + 1);
  const cases = scenarios.map((c) => testcase(c.s, c.f.name, seen.get(key(c))! > 1 ? `${c.s.name} (${c.s.uri}:${c.s.line})` : c.s.name)).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="${x(suiteName)}" tests="${scenarios.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" time="${seconds(model.durationMs)}">
${cases}</testsuite>
`;
}
