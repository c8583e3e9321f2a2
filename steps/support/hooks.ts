// Scenario lifecycle: label claims with the running step, attach the transcript to every
// scenario (failing or not), and keep user mistakes free of stack traces.
import { After, AfterAll, BeforeStep, AfterStep, Status, setDefaultTimeout, setDefinitionFunctionWrapper, setWorldConstructor } from '@cucumber/cucumber';
import { isApiChatError } from '../../src/errors.ts';
import { longestStepMs, renderTranscript } from '../../src/conversation/index.ts';
import { TRANSCRIPT_MEDIA_TYPE, renderConversationSvg } from '../../src/report/index.ts';
import { ChatWorld, closeRunContext, runContext } from './world.ts';

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

// Steps wait at most the reply timeout (plus settling); Cucumber's own limit sits above it
// so our message, which says what the bot did say, is the one a user sees.
setDefaultTimeout(runContextTimeout());

function runContextTimeout(): number {
  try {
    return longestStepMs(runContext().shared.timing) + 5_000;
  } catch {
    return 60_000;
  }
}

// A failed expectation or a configuration mistake is a message, not a stack trace.
setDefinitionFunctionWrapper(function wrap(fn: (...args: unknown[]) => unknown) {
  return async function (this: unknown, ...args: unknown[]) {
    try {
      return await fn.apply(this, args);
    } catch (e) {
      if (isApiChatError(e)) e.stack = e.message;
      throw e;
    }
  };
});

BeforeStep(function (this: ChatWorld, { pickleStep }) {
  this.currentStep = pickleStep.text;
});

AfterStep(function (this: ChatWorld, { pickleStep, result }) {
  if (result.status === Status.FAILED) this.started?.recordCheck(pickleStep.text, false, result.message);
});

After(async function (this: ChatWorld, { pickle, result }) {
  const c = this.started;
  if (!c) return;
  await this.endConversation();
  this.log(renderTranscript(c.transcript));
  this.attach(JSON.stringify(c.transcript), TRANSCRIPT_MEDIA_TYPE);
  // The same chat as a picture: a Buffer is sent base64-encoded, so Cucumber's HTML report
  // shows it inline as an image (a { contentEncoding } option would be ignored by attach()).
  let svg: string;
  try {
    svg = renderConversationSvg(c.transcript, { title: pickle.name, status: String(result?.status ?? '').toLowerCase() });
  } catch (e) {
    this.log(`apichat-bdd: could not draw the conversation: ${(e as Error).message}`); // a drawing bug must not fail the scenario
    return;
  }
  this.attach(Buffer.from(svg, 'utf8'), { mediaType: 'image/svg+xml', fileName: 'conversation.svg' });
});

AfterAll(async function () {
  await closeRunContext();
});
