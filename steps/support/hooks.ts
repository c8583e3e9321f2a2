// Scenario lifecycle: label claims with the running step, attach the transcript and the chat
// picture to every scenario (failing or not), and keep user mistakes free of stack traces.
import { After, AfterAll, Before, BeforeStep, AfterStep, Status, setDefaultTimeout, setDefinitionFunctionWrapper, setWorldConstructor } from '@cucumber/cucumber';
import { isApiChatError } from '../../src/base/errors.ts';
import { longestStepMs, renderTranscript } from '../../src/conversation/index.ts';
import { addInboxNotice } from '../../src/conversation/notes.ts';
import { TRANSCRIPT_MEDIA_TYPE, renderConversationSvg } from '../../src/report/index.ts';
import { ChatWorld, closeRunContext, runContext } from './world.ts';
import { missingModels } from './ai-skip.ts';
import { anyModel, loadAiConfig } from '../../src/ai/index.ts';

setWorldConstructor(ChatWorld);

// A --parallel worker whose coordinator is gone stops at once, instead of driving the bot until
// its steps time out. A terminal's Ctrl-C reaches every process, but a CI cancel signals only the
// coordinator, which puts the previous webhook back and exits (steps/plugin-run.ts).
// The pipe can break before 'disconnect' is emitted: a message sent then (a step result, an
// attachment) fails with EPIPE on the process object, which would otherwise crash with a stack.
if (process.env.CUCUMBER_WORKER_ID !== undefined) {
  process.once('disconnect', () => process.exit(130));
  process.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_IPC_CHANNEL_CLOSED') process.exit(130);
    throw e;
  });
}

// Steps wait at most the reply timeout (plus settling), and an AI phrase then one model call of
// at most APICHAT_AI_TIMEOUT_MS; Cucumber's own limit sits above both so our message, which says
// what the bot did say or which variable to check, is the one a user sees.
setDefaultTimeout(runContextTimeout() + modelCallMs());

function runContextTimeout(): number {
  try {
    return longestStepMs(runContext().shared.timing) + 5_000;
  } catch {
    return 60_000;
  }
}

function modelCallMs(): number {
  try {
    const ai = loadAiConfig();
    return anyModel(ai) ? ai.timeoutMs : 0;
  } catch {
    return 0; // a malformed AI variable fails the AI step that reads it, in one line
  }
}

// A failed expectation or a configuration mistake is a message, not a stack trace.
setDefinitionFunctionWrapper(function wrap(fn: (...args: unknown[]) => unknown) {
  return async function (this: unknown, ...args: unknown[]) {
    try {
      return await fn.apply(this, args);
    } catch (e) {
      if (isApiChatError(e)) {
        // Runner mode: "no delivery has reached Redis for this run: …" on the first failing step.
        await Promise.resolve(e).then((err) => addInboxNotice(err, runContext().inbox)).catch(() => false);
        e.stack = e.message;
      }
      throw e;
    }
  };
});

Before(function (this: ChatWorld, { pickle }) {
  this.scenario = { uri: pickle.uri, name: pickle.name };
});

// @ai scenarios need a model: without the variables their phrases need, they are skipped, with
// one line naming what to set (a default run stays green with no network).
Before({ tags: '@ai' }, function ({ pickle }) {
  return missingModels(pickle.steps.map((s) => s.text)) ? 'skipped' : undefined;
});

BeforeStep(function (this: ChatWorld, { pickleStep }) {
  this.currentStep = pickleStep.text;
});

// The chat picture goes on the failing step (or the last step), where Cucumber's HTML report shows
// it open beside the error; attached in After it sat two clicks deep under "1 hooks". An AfterStep
// hook's attachment belongs to the step it follows. The run's console formatters leave
// attachments out (formatOptions.printAttachments: false in cucumber.js).
const pictured = new WeakSet<ChatWorld>();

AfterStep(function (this: ChatWorld, { pickle, pickleStep, result }) {
  const failed = result.status === Status.FAILED;
  if (failed) this.started?.recordCheck(pickleStep.text, false, result.message);
  if (failed || pickle.steps.at(-1)?.id === pickleStep.id) attachPicture(this, pickle.name, failed ? 'failed' : 'passed');
});

After(async function (this: ChatWorld, { pickle, result }) {
  const c = this.started;
  if (!c) return;
  await this.endConversation();
  this.log(renderTranscript(c.transcript));
  // With the scenario's captured variables: `apichat-bdd diff` reads them back as {{name}}.
  this.attach(JSON.stringify({ ...c.transcript, variables: this.vars.entries() }), TRANSCRIPT_MEDIA_TYPE);
  // A scenario that stopped before its steps ran (a hook, an undefined step) gets its picture here.
  attachPicture(this, pickle.name, String(result?.status ?? '').toLowerCase());
});

function attachPicture(world: ChatWorld, title: string, status: string): void {
  const c = world.started;
  if (!c || pictured.has(world)) return;
  pictured.add(world);
  // A Buffer is sent base64-encoded, so Cucumber's HTML report shows it inline as an image
  // (a { contentEncoding } option would be ignored by attach()).
  let svg: string;
  try {
    svg = renderConversationSvg(c.transcript, { title, status });
  } catch (e) {
    world.log(`apichat-bdd: could not draw the conversation: ${(e as Error).message}`); // a drawing bug must not fail the scenario
    return;
  }
  world.attach(Buffer.from(svg, 'utf8'), { mediaType: 'image/svg+xml', fileName: 'conversation.svg' });
}

AfterAll(async function () {
  await closeRunContext();
});
