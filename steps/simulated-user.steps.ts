// The simulated-user phrases (docs/ai.md, "Simulated users"): a model plays the user toward a goal, and a
// judge reads the whole conversation. Each hands off to the World. The simulation and the goal's
// judgement (which also replays the conversation to write it as a feature) take several turns,
// each bounded by the reply timeout and APICHAT_AI_TIMEOUT_MS, so Cucumber's step timeout is off.
import { Then, When } from '@cucumber/cucumber';
import type { ChatWorld } from './support/world.ts';

const UNBOUNDED = { timeout: -1 };

When('a user who wants to {string} chats with {bot}', UNBOUNDED, async function (this: ChatWorld, goal: string, _b: string) {
  await this.simulateUser(goal);
});
When('a user who wants to {string} chats with {bot} for up to {int} turn(s)', UNBOUNDED, async function (this: ChatWorld, goal: string, _b: string, maxTurns: number) {
  await this.simulateUser(goal, { maxTurns });
});
Then("the user's goal is met", UNBOUNDED, async function (this: ChatWorld) {
  await this.expectGoalMet();
});
Then('the judge agrees that the conversation {string}', async function (this: ChatWorld, criterion: string) {
  await this.expectConversation(criterion);
});
