// The user model: one chat completion per simulated user turn (temperature 0, json_schema), through
// the cache, keyed by the model, the prompt version and the request's messages, which hold the goal,
// the profile, the conversation so far and the offered buttons, and never a random id; the digits
// of the bot's lines are generalised (replayKey). So a rerun against an unchanged bot replays the
// same conversation with zero model calls, also when it draws a new booking code every run.
import type { ModelVariable } from './config.ts';
import type { Models } from './models.ts';
import { answerFits, replayKey, toDecision, USER_PROMPT_VERSION, UserDecisionSchema, userTurnMessages, type UserDecision, type UserTurnInput } from './user-model.ts';

export class ModelUser {
  /** Requests made and answers taken from the cache, over this user's turns. */
  readonly usage = { calls: 0, hits: 0 };

  constructor(
    private readonly models: Models,
    readonly model: string,
    private readonly variable: ModelVariable,
  ) {}

  async decide(input: UserTurnInput): Promise<{ decision: UserDecision; cached: boolean }> {
    const messages = userTurnMessages(input);
    const before = this.models.client.calls;
    const r = await this.models
      .completeJson(UserDecisionSchema, messages, {
        model: this.model,
        variable: this.variable,
        kind: 'user-turn',
        promptVersion: USER_PROMPT_VERSION,
        cacheKeyParts: replayKey(messages),
        acceptCached: answerFits(messages),
        schemaName: 'user_action',
        strict: false,
      })
      .catch((e: unknown) => {
        this.usage.calls += this.models.client.calls - before; // a fault still cost its request
        throw e;
      });
    this.usage.calls += r.calls;
    this.usage.hits += r.hits;
    const decision = toDecision(r.value);
    // The schema's refinement already refused an incomplete answer; kept as a type guard.
    if (!decision) throw new Error('unreachable: an incomplete user decision passed the schema');
    return { decision, cached: r.cached };
  }
}
