// Architecture (docs/architecture.md): every folder of src/ is a layer, and imports point down only:
//   steps → report / run / cli / author → conversation → ai → inbox / simulator / client
//         → protocol → config (src/config.ts) → base
// A file may import its own layer or any layer below; never one above, and no cycle, not even
// a type-only one. test/architecture.test.ts checks every import of src/ and steps/.
// This file, the public API, sits above them all: it re-exports from any layer.
//
// The public API of `apichat-bdd`, for a bot repository's own step definitions:
//   import { Given } from '@cucumber/cucumber';
//   import { type ChatWorld } from 'apichat-bdd';
//   Given('a guest who picked a room', async function (this: ChatWorld) { await this.say('book'); … });
// These names are a contract like the step phrases (docs/writing-features.md, "Custom steps").
// ChatWorld lives with the rest of the Cucumber glue in steps/; it is re-exported here so
// consumers have one import.
export { ChatWorld } from '../steps/support/world.ts';
export {
  Conversation,
  ConversationError,
  Variables,
  describeExpectation,
  type CardRow,
  type ConversationOptions,
  type Expectation,
  type ExpectResult,
  type ModelExpectation,
  type Profile,
  type VerdictRecord,
  type Timing,
  TimingModel,
} from './conversation/index.ts';
export { ApiChatError, isApiChatError } from './base/errors.ts';
export { loadAiConfig, type AiConfig, type Verdict, type ConversationVerdict, type UserDecision, type UserTurnInput } from './ai/index.ts';
export { simulateUser, type SimulationResult, type UserPlayer } from './conversation/simulate.ts';
export { ERROR_CODES, type ErrorCode } from './base/error-codes.ts';
export { ConfigError, VARIABLES, type Variable } from './config.ts';
export { BotClientError, PartnerClientError, BotErrorCode, PartnerErrorCode } from './client/index.ts';
export type { AttachmentKind, BotMessage, Button, Card, MessageKind } from './protocol/index.ts';
