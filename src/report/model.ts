// The report model, built from Cucumber's message envelopes as they stream past a formatter:
// features in file order, their scenarios (the final attempt of each), step results, and the
// conversation transcripts the After hook attached. Pure: feed envelopes, call build().
import { didYouMean } from '../conversation/did-you-mean.ts';
import type { TranscriptData } from '../conversation/transcript.ts';
import { parseTranscript } from './chat.ts';
import { computeCoverage, type Coverage } from './coverage.ts';
import { toMillis, type Attachment, type Envelope, type GherkinChild, type GherkinDocument, type Hook, type Pickle, type PickleStepArgument, type TestCase, type TestStepResult } from './envelopes.ts';

/** The media type of the transcript every scenario carries (steps/support/hooks.ts attaches it). */
export const TRANSCRIPT_MEDIA_TYPE = 'application/vnd.apichat.transcript+json';

export type Status = 'passed' | 'failed' | 'ambiguous' | 'undefined' | 'pending' | 'skipped' | 'unknown';
const SEVERITY: Status[] = ['unknown', 'passed', 'skipped', 'pending', 'undefined', 'ambiguous', 'failed'];

export interface StepReport {
  keyword: string;
  text: string;
  status: Status;
  durationMs: number;
  message?: string;
  /** A hook rather than a Gherkin step (listed only when it did not pass). */
  hook?: boolean;
  /** The step's data table, rows of cells (the header row first). */
  table?: string[][];
  /** The step's doc string. */
  docString?: string;
  /** Its line in the feature file (Gherkin steps only). */
  line?: number;
  /** An undefined step: the nearest built-in phrases with its arguments ("did you mean: …" lines). */
  didYouMean?: string[];
}

export interface ScenarioReport {
  /** testCaseStarted id: unique per attempt, used as the anchor in the page. */
  id: string;
  name: string;
  keyword: string;
  uri: string;
  line: number;
  tags: string[];
  status: Status;
  attempt: number;
  startedAt: number;
  durationMs: number;
  steps: StepReport[];
  transcripts: TranscriptData[];
  /** The first step (or hook) that did not pass, with Cucumber's message. */
  failure?: { step: string; status: Status; message: string };
  /** Earlier attempts under Cucumber's --retry (each retried because it did not pass), oldest first. */
  retried: ScenarioReport[];
  /** Passed after one or more failed attempts. */
  flaky: boolean;
}

export interface FeatureReport {
  uri: string;
  keyword: string;
  name: string;
  description: string;
  scenarios: ScenarioReport[];
}

export type Counts = Record<Status, number> & { total: number };

export interface ReportModel {
  title: string;
  startedAt: number | null;
  finishedAt: number | null;
  durationMs: number;
  success: boolean | null;
  features: FeatureReport[];
  counts: Counts;
  /** Scenarios that passed only on a retry, in report order. */
  flaky: ScenarioReport[];
  coverage: Coverage;
}

interface Started {
  id: string;
  testCaseId: string;
  attempt: number;
  startedAt: number;
  finishedAt?: number;
  willBeRetried: boolean;
  results: Map<string, TestStepResult>;
  transcripts: TranscriptData[];
}

export function emptyCounts(): Counts {
  return { total: 0, passed: 0, failed: 0, ambiguous: 0, undefined: 0, pending: 0, skipped: 0, unknown: 0 };
}

export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'unknown';
  let any = false;
  for (const s of statuses) {
    if (!any || SEVERITY.indexOf(s) > SEVERITY.indexOf(worst)) worst = s;
    any = true;
  }
  return any ? worst : 'passed';
}

export function toStatus(s: string | undefined): Status {
  const lower = (s ?? 'UNKNOWN').toLowerCase();
  return (SEVERITY as string[]).includes(lower) ? (lower as Status) : 'unknown';
}

/** Decodes an attachment's body (identity or base64). */
export function attachmentText(a: Pick<Attachment, 'body' | 'contentEncoding'>): string {
  return a.contentEncoding === 'BASE64' ? Buffer.from(a.body, 'base64').toString('utf8') : a.body;
}

export class ReportBuilder {
  private readonly documents: GherkinDocument[] = [];
  private readonly gherkinSteps = new Map<string, { keyword: string; line: number }>();
  private readonly scenarios = new Map<string, { keyword: string; line: number }>();
  private readonly exampleRows = new Map<string, number>();
  private readonly pickles = new Map<string, Pickle>();
  private readonly pickleOrder: string[] = [];
  private readonly hooks = new Map<string, Hook>();
  private readonly testCases = new Map<string, TestCase>();
  private readonly started = new Map<string, Started>();
  private readonly startedOrder: string[] = [];
  private runStartedAt: number | null = null;
  private runFinishedAt: number | null = null;
  private success: boolean | null = null;

  constructor(private readonly title = 'Conversation report') {}

  /** Whether testRunFinished has been seen. */
  get finished(): boolean {
    return this.runFinishedAt !== null;
  }

  add(e: Envelope): void {
    if (e.gherkinDocument) this.addDocument(e.gherkinDocument);
    else if (e.pickle) {
      this.pickles.set(e.pickle.id, e.pickle);
      this.pickleOrder.push(e.pickle.id);
    } else if (e.hook) this.hooks.set(e.hook.id, e.hook);
    else if (e.testRunStarted) this.runStartedAt = toMillis(e.testRunStarted.timestamp);
    else if (e.testCase) this.testCases.set(e.testCase.id, e.testCase);
    else if (e.testCaseStarted) {
      const s = e.testCaseStarted;
      this.started.set(s.id, { id: s.id, testCaseId: s.testCaseId, attempt: s.attempt, startedAt: toMillis(s.timestamp), willBeRetried: false, results: new Map(), transcripts: [] });
      this.startedOrder.push(s.id);
    } else if (e.testStepFinished) {
      this.started.get(e.testStepFinished.testCaseStartedId)?.results.set(e.testStepFinished.testStepId, e.testStepFinished.testStepResult);
    } else if (e.attachment) {
      const a = e.attachment;
      if (a.mediaType !== TRANSCRIPT_MEDIA_TYPE || !a.testCaseStartedId) return;
      const t = parseTranscript(attachmentText(a));
      if (t) this.started.get(a.testCaseStartedId)?.transcripts.push(t);
    } else if (e.testCaseFinished) {
      const s = this.started.get(e.testCaseFinished.testCaseStartedId);
      if (s) {
        s.finishedAt = toMillis(e.testCaseFinished.timestamp);
        s.willBeRetried = e.testCaseFinished.willBeRetried;
      }
    } else if (e.testRunFinished) {
      this.runFinishedAt = toMillis(e.testRunFinished.timestamp);
      this.success = e.testRunFinished.success;
    }
  }

  private addDocument(doc: GherkinDocument): void {
    this.documents.push(doc);
    const visit = (children: GherkinChild[]): void => {
      for (const c of children) {
        for (const step of c.background?.steps ?? []) this.gherkinSteps.set(step.id, { keyword: step.keyword, line: step.location.line });
        if (c.scenario) {
          this.scenarios.set(c.scenario.id, { keyword: c.scenario.keyword, line: c.scenario.location.line });
          for (const step of c.scenario.steps) this.gherkinSteps.set(step.id, { keyword: step.keyword, line: step.location.line });
          for (const ex of c.scenario.examples ?? []) for (const row of ex.tableBody ?? []) this.exampleRows.set(row.id, row.location.line);
        }
        if (c.rule) visit(c.rule.children);
      }
    };
    visit(doc.feature?.children ?? []);
  }

  build(): ReportModel {
    // testCaseId → every attempt in order; the final one is the attempt not to be retried.
    const attempts = new Map<string, Started[]>();
    for (const id of this.startedOrder) {
      const s = this.started.get(id);
      if (!s) continue;
      const list = attempts.get(s.testCaseId) ?? [];
      list.push(s);
      attempts.set(s.testCaseId, list);
    }
    const byPickle = new Map<string, ScenarioReport>();
    for (const [testCaseId, list] of attempts) {
      const final = list.findLast((s) => !s.willBeRetried);
      const tc = this.testCases.get(testCaseId);
      const pickle = tc && this.pickles.get(tc.pickleId);
      if (!final || !tc || !pickle) continue;
      const retried = list.filter((s) => s !== final && s.willBeRetried).map((s) => this.scenarioReport(s, tc, pickle, []));
      byPickle.set(pickle.id, this.scenarioReport(final, tc, pickle, retried));
    }

    const features: FeatureReport[] = [];
    const byUri = new Map<string, FeatureReport>();
    for (const doc of this.documents) {
      if (!doc.uri) continue;
      const f: FeatureReport = { uri: doc.uri, keyword: doc.feature?.keyword ?? 'Feature', name: doc.feature?.name ?? doc.uri, description: (doc.feature?.description ?? '').trim(), scenarios: [] };
      byUri.set(doc.uri, f);
      features.push(f);
    }
    const counts = emptyCounts();
    for (const pickleId of this.pickleOrder) {
      const r = byPickle.get(pickleId);
      if (!r) continue;
      let f = byUri.get(r.uri);
      if (!f) {
        f = { uri: r.uri, keyword: 'Feature', name: r.uri, description: '', scenarios: [] };
        byUri.set(r.uri, f);
        features.push(f);
      }
      f.scenarios.push(r);
      counts[r.status]++;
      counts.total++;
    }
    const withScenarios = features.filter((f) => f.scenarios.length > 0);
    const all = withScenarios.flatMap((f) => f.scenarios);
    const firstStart = all.reduce<number | null>((m, s) => (m === null || s.startedAt < m ? s.startedAt : m), null);
    const startedAt = this.runStartedAt ?? firstStart;
    const finishedAt = this.runFinishedAt;
    return {
      title: this.title,
      startedAt,
      finishedAt,
      durationMs: startedAt !== null && finishedAt !== null ? Math.max(0, finishedAt - startedAt) : all.reduce((sum, s) => sum + s.durationMs, 0),
      success: this.success,
      features: withScenarios,
      counts,
      flaky: all.filter((s) => s.flaky),
      coverage: computeCoverage(all.flatMap((s) => s.transcripts.map((transcript) => ({ scenario: s.name, transcript })))),
    };
  }

  private scenarioReport(s: Started, tc: TestCase, pickle: Pickle, retried: ScenarioReport[]): ScenarioReport {
    const steps: StepReport[] = [];
    let failure: ScenarioReport['failure'];
    const pickleSteps = new Map(pickle.steps.map((p) => [p.id, p]));
    for (const ts of tc.testSteps) {
      const result = s.results.get(ts.id);
      const status = toStatus(result?.status);
      const durationMs = result ? toMillis(result.duration) : 0;
      const message = result?.message ?? result?.exception?.message;
      let keyword = '';
      let line: number | undefined;
      let text: string;
      let argument: Pick<StepReport, 'table' | 'docString'> = {};
      const hook = ts.hookId !== undefined;
      if (ts.pickleStepId !== undefined) {
        const ps = pickleSteps.get(ts.pickleStepId);
        const gherkin = ps ? this.gherkinSteps.get(ps.astNodeIds[0] ?? '') : undefined;
        keyword = gherkin?.keyword ?? '';
        line = gherkin?.line;
        text = ps?.text ?? '';
        argument = stepArgument(ps?.argument);
      } else {
        const h = this.hooks.get(ts.hookId ?? '');
        text = h?.name ? `Hook "${h.name}"` : `${hookType(h?.type)}hook${h?.sourceReference?.uri ? ` (${h.sourceReference.uri}${h.sourceReference.location ? `:${h.sourceReference.location.line}` : ''})` : ''}`;
      }
      const suggestions = status === 'undefined' && !hook ? didYouMean(text, keyword) : [];
      if (!failure && status !== 'passed' && status !== 'skipped' && status !== 'unknown') {
        const said = message ?? (suggestions.length ? ['Undefined step.', ...suggestions].join('\n') : status);
        failure = { step: `${keyword}${text}`.trim(), status, message: said };
      }
      if (hook && status === 'passed') continue;
      steps.push({ keyword, text, status, durationMs, ...argument, ...(line !== undefined ? { line } : {}), ...(message ? { message } : {}), ...(hook ? { hook } : {}), ...(suggestions.length ? { didYouMean: suggestions } : {}) });
    }
    const status = worstStatus(tc.testSteps.map((ts) => toStatus(s.results.get(ts.id)?.status)));
    const scenario = this.scenarios.get(pickle.astNodeIds[0] ?? '');
    const rowLine = pickle.astNodeIds[1] !== undefined ? this.exampleRows.get(pickle.astNodeIds[1]) : undefined;
    return {
      id: s.id,
      name: pickle.name,
      keyword: scenario?.keyword ?? 'Scenario',
      uri: pickle.uri,
      line: rowLine ?? scenario?.line ?? 0,
      tags: pickle.tags.map((t) => t.name),
      status,
      attempt: s.attempt,
      startedAt: s.startedAt,
      durationMs: s.finishedAt !== undefined ? Math.max(0, s.finishedAt - s.startedAt) : steps.reduce((sum, st) => sum + st.durationMs, 0),
      steps,
      transcripts: s.transcripts,
      ...(failure ? { failure } : {}),
      retried,
      flaky: status === 'passed' && retried.some((r) => r.status !== 'passed'),
    };
  }
}

function stepArgument(a: PickleStepArgument | undefined): Pick<StepReport, 'table' | 'docString'> {
  if (a?.dataTable) return { table: a.dataTable.rows.map((r) => r.cells.map((c) => c.value)) };
  if (a?.docString) return { docString: a.docString.content };
  return {};
}

function hookType(type: string | undefined): string {
  switch (type) {
    case 'BEFORE_TEST_CASE':
      return 'Before ';
    case 'AFTER_TEST_CASE':
      return 'After ';
    default:
      return '';
  }
}

/** Builds a model from a finished list of envelopes (tests, NDJSON files). */
export function buildReport(envelopes: Iterable<Envelope>, title?: string): ReportModel {
  const b = new ReportBuilder(title);
  for (const e of envelopes) b.add(e);
  return b.build();
}
