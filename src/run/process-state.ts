// What one process shares between module instances: Cucumber loads the plugin, the formatters
// and the support code separately (and tsx may load a file twice), so module variables are not
// shared; one global is, typed once here.
import type { RunHandle } from './run.ts';

export interface ProcessState {
  /** The run the coordinator's plugin started (serial runs read the store in-process). */
  run?: RunHandle;
  /** Where this run's conversation report is written, for the plugin's end-of-run coverage line. */
  reportPath?: string;
}

declare global {
  var __apichatBdd: ProcessState | undefined;
}

export function processState(): ProcessState {
  return (globalThis.__apichatBdd ??= {});
}
