// Flaky scenarios (failed, then passed under Cucumber's --retry) as the run's last lines say them.
import type { ReportModel, ScenarioReport } from './model.ts';

/** The variable that makes a run with a flaky scenario fail (exit 1). */
export const FAIL_ON_FLAKY_VARIABLE = 'APICHAT_FAIL_ON_FLAKY';

/** "1", "true" or "yes" (any case): on. */
export function failOnFlaky(env: Record<string, string | undefined>): boolean {
  return /^(1|true|yes)$/i.test(env[FAIL_ON_FLAKY_VARIABLE]?.trim() ?? '');
}

/** `features/x.feature:12 Name — passed on attempt 2 of 2 (attempt 1 failed: Then the bot replies "…")` */
export function describeFlaky(s: ScenarioReport): string {
  const failed = s.retried.filter((r) => r.status !== 'passed');
  const first = failed[0];
  const why = first?.failure ? `: ${first.failure.step}` : '';
  const which = failed.length === 1 ? `attempt ${(first?.attempt ?? 0) + 1} ${first?.status ?? 'failed'}${why}` : `attempts ${failed.map((r) => r.attempt + 1).join(', ')} failed; the first${why ? ` at ${why.slice(2)}` : ''}`;
  return `${s.uri}:${s.line} ${s.name} — passed on attempt ${s.attempt + 1} (${which})`;
}

/** The console lines for a finished run: nothing when no scenario was flaky. */
export function flakyLines(model: Pick<ReportModel, 'flaky'>, failing: boolean): string[] {
  if (model.flaky.length === 0) return [];
  const n = model.flaky.length;
  return [
    `apichat-bdd: ${n} flaky scenario${n === 1 ? '' : 's'} (failed, then passed on a retry):`,
    ...model.flaky.map((s) => `  ${describeFlaky(s)}`),
    ...(failing ? [`apichat-bdd: ${FAIL_ON_FLAKY_VARIABLE}=1: the run fails because of ${n === 1 ? 'this flaky scenario' : 'these flaky scenarios'} (exit code 1)`] : []),
  ];
}
