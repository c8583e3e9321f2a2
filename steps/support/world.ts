// One World per scenario: one Conversation (a fresh bot user), the scenario's variables, and
// the step text currently running (claims are labelled with it in the transcript).
import { randomBytes, randomInt } from 'node:crypto';
import { World, type IWorldOptions } from '@cucumber/cucumber';
import { BotClient } from '../../src/client/index.ts';
import { ApiChatError } from '../../src/base/errors.ts';
import { Conversation, ConversationError, describeEnd, TimingModel, Variables, type ExpectResult, type Expectation, type Profile } from '../../src/conversation/index.ts';
// A --parallel worker imports only the clients of the run (not its servers, the simulator or the
// plugin's report code): each worker loads these modules again.
import type { Inbox, RemoteTimingLink } from '../../src/inbox/index.ts';
import { RedisInbox } from '../../src/inbox/redis-inbox.ts';
import { RemoteInbox } from '../../src/inbox/remote.ts';
import type { AttachmentKind } from '../../src/protocol/index.ts';
import { parseSharedRun, RUN_ENV, type SharedRun } from '../../src/run/shared.ts';
import { workerTiming } from '../../src/run/timing-hub.ts';
import { processState } from '../../src/run/process-state.ts';
import { ConversationJudge, ModelUser, requireModel, sharedModels, type ConversationQuestion, type ConversationVerdict } from '../../src/ai/index.ts';
import { chatTurns, goalFailure, judgedFailure, latestSimulation, simulateUser, type SimulationResult } from '../../src/conversation/simulate.ts';

interface RunContext {
  shared: SharedRun;
  inbox: Inbox;
  bot: BotClient;
  /** The run's timing model: the coordinator's in a serial run; a worker's own, linked to it, under --parallel. */
  timing: TimingModel;
  /** A --parallel worker's link to the run's shared timing. */
  timingLink?: RemoteTimingLink;
}

let context: RunContext | undefined;

/** This process's view of the run: the plugin's in-process handle, or APICHAT_RUN in a worker. */
export function runContext(): RunContext {
  if (context) return context;
  const handle = processState().run;
  const raw = process.env[RUN_ENV];
  if (!handle && !raw) {
    throw new ApiChatError(
      'APICHAT_RUN_NOT_STARTED',
      'apichat-bdd: the run was not started: add the plugin to the cucumber config (plugin: ["apichat-bdd/plugin"]; in the apichat-bdd repository "./steps/plugin.mjs"); note that a --plugin on the command line replaces the configured list',
    );
  }
  const shared = handle ? handle.shared : parseSharedRun(raw ?? '');
  const inbox = handle ? handle.inbox : shared.redis ? new RedisInbox(shared.redis) : new RemoteInbox(shared.inboxUrl, { token: shared.inboxToken });
  context = handle ? { shared, inbox, bot: botClient(shared), timing: handle.timing } : { shared, inbox, bot: botClient(shared), ...linkedTiming(shared) };
  return context;
}

/** A --parallel worker's model, linked to the run's (src/run/timing-hub.ts). */
function linkedTiming(shared: SharedRun): Pick<RunContext, 'timing' | 'timingLink'> {
  const { model, link } = workerTiming(shared);
  return link ? { timing: model, timingLink: link } : { timing: model };
}

/**
 * The bot URL's deadline is the reply timeout: with settling, a step then ends before Cucumber's
 * own step timeout (steps/support/hooks.ts), so a hanging bot URL fails with our one-line
 * reason naming APICHAT_BOT_URL, not with Cucumber's "function timed out" and a stack.
 */
function botClient(shared: SharedRun): BotClient {
  return new BotClient({ botUrl: shared.botUrl, flowKey: shared.flowKey, timeoutMs: shared.timing.replyTimeoutMs });
}

export async function closeRunContext(): Promise<void> {
  await context?.timingLink?.close();
  await context?.inbox.close();
  context = undefined;
}

/**
 * The World of every scenario (public API: `import { type ChatWorld } from 'apichat-bdd'`).
 * A custom step hands off to it: `Given('…', async function (this: ChatWorld) { await this.say('book'); })`.
 */
export class ChatWorld extends World {
  readonly vars = new Variables();
  currentStep = '';
  /** The running scenario's feature file and name (set by a Before hook): where a simulated conversation is written. */
  scenario: { uri: string; name: string } | undefined;
  private conversation_: Conversation | undefined;

  constructor(options: IWorldOptions) {
    super(options);
  }

  /**
   * Starts a conversation as a new bot user (closing any earlier one of this scenario); the
   * profile goes out as sender.email / sender.phone_number on every message (empty when absent).
   */
  async newConversation(name = 'Test User', profile: Profile = {}): Promise<Conversation> {
    await this.endConversation();
    const run = runContext();
    this.conversation_ = await Conversation.open({
      inbox: run.inbox,
      bot: run.bot,
      senderId: `bdd-${randomBytes(6).toString('hex')}`,
      name,
      ...(profile.email !== undefined ? { email: profile.email } : {}),
      ...(profile.phone !== undefined ? { phone: profile.phone } : {}),
      conversationId: randomInt(1, 2 ** 31 - 1),
      timing: run.shared.timing,
      model: run.timing,
    });
    return this.conversation_;
  }

  /** The scenario's conversation; one is started with a default name when no step asked. */
  async conversation(): Promise<Conversation> {
    return this.conversation_ ?? (await this.newConversation());
  }

  get started(): Conversation | undefined {
    return this.conversation_;
  }

  async endConversation(): Promise<void> {
    await this.conversation_?.close();
  }

  /** Fills {{name}} placeholders from captured variables. */
  s(text: string): string {
    return this.vars.interpolate(text);
  }

  async say(text: string): Promise<void> {
    await (await this.conversation()).say(this.s(text));
  }

  async tap(title: string, card?: string): Promise<void> {
    await (await this.conversation()).tap(this.s(title), card === undefined ? undefined : this.s(card));
  }

  async send(kind: AttachmentKind, url: string): Promise<void> {
    await (await this.conversation()).sendAttachment(kind, this.s(url));
  }

  /**
   * Waits for and claims what the expectation describes. Every phrase's kind is here, the AI ones
   * too: { kind: 'one-of', values }, { kind: 'language', language: 'Spanish' },
   * { kind: 'similar', text }, { kind: 'effect', statement }, { kind: 'judge', criterion }; the
   * result carries a model's verdict when one decided.
   */
  async expect(e: Expectation): Promise<ExpectResult> {
    const result = await (await this.conversation()).expect(e, this.currentStep);
    this.vars.setAll(result.captured);
    return result;
  }

  /**
   * A model plays the user toward `goal` in this scenario's conversation (its name and profile are
   * the user's), one action per turn, until it says stop or `maxTurns` (APICHAT_USER_MAX_TURNS, 8).
   */
  async simulateUser(goal: string, options: { maxTurns?: number } = {}): Promise<SimulationResult> {
    const models = sharedModels();
    const model = requireModel(models.config, 'APICHAT_USER_MODEL');
    const maxTurns = options.maxTurns ?? models.config.userMaxTurns;
    if (!Number.isInteger(maxTurns) || maxTurns < 1) {
      throw new ApiChatError('APICHAT_TURN_LIMIT', `a simulated user needs at least 1 turn, got ${maxTurns}: write "for up to 1 turn" or more, or leave it out for APICHAT_USER_MAX_TURNS (${models.config.userMaxTurns})`);
    }
    const player = new ModelUser(models, model, models.config.userModelVariable);
    return simulateUser(await this.conversation(), { goal: this.s(goal), maxTurns, player });
  }

  /**
   * A judge decides from the whole conversation whether the simulated user's goal was reached. When
   * it was, the conversation is written as a scripted scenario under <report dir>/simulated/.
   */
  async expectGoalMet(): Promise<ConversationVerdict> {
    const c = await this.conversation();
    const event = latestSimulation(c.transcript);
    if (!event) {
      throw new ApiChatError('APICHAT_NO_SIMULATION', `there is no simulated user in this scenario to judge: put When a user who wants to "<goal>" chats with the bot before "${this.currentStep}"`);
    }
    const verdict = await this.judgeConversation(c, { kind: 'goal', goal: event.goal });
    event.verdict = { pass: verdict.pass, reason: verdict.reason, score: verdict.score, ...(verdict.cached ? { cached: true } : {}) };
    if (!verdict.pass) throw goalFailure(event, verdict, c.transcript);
    const run = runContext();
    const scenario = this.scenario ?? { uri: 'features/unknown.feature', name: 'simulated' };
    // The authoring layer is loaded here, by the few scenarios that reach this step, not by every run.
    const { DEFAULT_USER_NAME, writeSimulatedFeature } = await import('../../src/author/index.ts');
    const written = await writeSimulatedFeature(
      {
        observer: { inbox: run.inbox, bot: run.bot, timing: run.shared.timing, ...c.profile },
        transcript: c.transcript,
        goal: event.goal,
        verdictReason: verdict.reason,
        featureUri: scenario.uri,
        scenarioName: scenario.name,
        reportDir: reportDir(),
      },
      DEFAULT_USER_NAME,
    );
    event.feature = { href: written.href, path: written.path };
    return verdict;
  }

  /** A judge decides whether the whole conversation so far meets `criterion` ("never asks for the phone number twice"). */
  async expectConversation(criterion: string): Promise<ConversationVerdict> {
    const c = await this.conversation();
    const wanted = this.s(criterion);
    const verdict = await this.judgeConversation(c, { kind: 'criterion', criterion: wanted });
    if (!verdict.pass) {
      const end = latestSimulation(c.transcript);
      throw new ConversationError(
        'APICHAT_JUDGE_DISAGREES',
        judgedFailure(`The judge does not agree that the conversation ${JSON.stringify(wanted)}.`, `a conversation that ${wanted}`, verdict, c.transcript, end ? describeEnd(end) : undefined),
      );
    }
    return verdict;
  }

  /** The judge over the whole conversation; its verdict (or its fault: no verdict) goes beside the step. */
  private async judgeConversation(c: Conversation, question: ConversationQuestion): Promise<ConversationVerdict> {
    const models = sharedModels();
    const model = requireModel(models.config, 'APICHAT_JUDGE_MODEL');
    const callsBefore = models.client.calls;
    const asked = Date.now();
    try {
      const verdict = await new ConversationJudge(models, model).judge(question, chatTurns(c.transcript));
      c.recordVerdict(this.currentStep, { ...verdict, kind: 'judge' });
      return verdict;
    } catch (err) {
      c.recordNoVerdict(this.currentStep, 'judge', model, err, models.client.calls - callsBefore, Date.now() - asked);
      throw err;
    }
  }
}

/** Where the run's reports go (cucumber.js: APICHAT_REPORT_DIR, default reports). */
function reportDir(): string {
  return process.env.APICHAT_REPORT_DIR?.trim() || 'reports';
}
