// The few fields of Cucumber's message envelopes (@cucumber/messages) the report reads,
// declared structurally so src/report depends on the wire format, not on a transitive package.

export interface Timestamp {
  seconds: number;
  nanos: number;
}
export type Duration = Timestamp;

export interface Location {
  line: number;
  column?: number;
}

export interface GherkinStep {
  id: string;
  keyword: string;
  text: string;
  location: Location;
}
export interface GherkinScenario {
  id: string;
  keyword: string;
  name: string;
  location: Location;
  steps: GherkinStep[];
  tags?: Array<{ name: string }>;
  examples?: Array<{ tableBody?: Array<{ id: string; location: Location }> }>;
}
export interface GherkinBackground {
  id: string;
  keyword: string;
  name: string;
  steps: GherkinStep[];
}
export interface GherkinChild {
  background?: GherkinBackground;
  scenario?: GherkinScenario;
  rule?: { id: string; name: string; keyword: string; children: GherkinChild[] };
}
export interface GherkinDocument {
  uri?: string;
  feature?: { keyword: string; name: string; description: string; location: Location; children: GherkinChild[] };
}

export interface Pickle {
  id: string;
  uri: string;
  name: string;
  astNodeIds: string[];
  tags: Array<{ name: string }>;
  steps: Array<{ id: string; text: string; astNodeIds: string[]; argument?: PickleStepArgument }>;
}

/** A step's data table or doc string, as the pickle carries it (placeholders already filled). */
export interface PickleStepArgument {
  dataTable?: { rows: Array<{ cells: Array<{ value: string }> }> };
  docString?: { content: string; mediaType?: string };
}

export interface TestCase {
  id: string;
  pickleId: string;
  testSteps: Array<{ id: string; pickleStepId?: string; hookId?: string }>;
}

export interface TestStepResult {
  status: string;
  duration: Duration;
  message?: string;
  exception?: { type: string; message?: string };
}

export interface Attachment {
  body: string;
  contentEncoding: string;
  mediaType: string;
  fileName?: string;
  testCaseStartedId?: string;
  testStepId?: string;
}

export interface Hook {
  id: string;
  name?: string;
  type?: string;
  sourceReference?: { uri?: string; location?: Location };
}

export interface Envelope {
  gherkinDocument?: GherkinDocument;
  pickle?: Pickle;
  hook?: Hook;
  testRunStarted?: { timestamp: Timestamp };
  testCase?: TestCase;
  testCaseStarted?: { id: string; testCaseId: string; attempt: number; timestamp: Timestamp; workerId?: string };
  testStepStarted?: { testCaseStartedId: string; testStepId: string; timestamp: Timestamp };
  testStepFinished?: { testCaseStartedId: string; testStepId: string; testStepResult: TestStepResult; timestamp: Timestamp };
  attachment?: Attachment;
  testCaseFinished?: { testCaseStartedId: string; timestamp: Timestamp; willBeRetried: boolean };
  testRunFinished?: { success: boolean; timestamp: Timestamp; exception?: { type: string; message?: string } };
}

export function toMillis(t: Timestamp | Duration): number {
  return Number(t.seconds) * 1000 + Number(t.nanos) / 1e6;
}
