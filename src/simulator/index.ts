// The embedded platform simulator. Imports only from src/protocol and src/base (errors, text,
// network errors), so the bot's side of the wire shares nothing with the tests' side but the
// wire format itself.
export { startSimulator, type Simulator, type SimulatorOptions, type ReceivedRecord, type TurnDone } from './server.ts';
export { BotEngine, fillTemplate, resolveReply, type BotUser, type ResolvedReply, type Turn } from './engine.ts';
export { loadBotFile, parseBot, validateBot, DEMO_BOT_PATH, BOT_FILE_ERROR } from './bot-file.ts';
export {
  BotSchema,
  REPLY_KINDS,
  BUILTIN_VARS,
  type BotDefinition,
  type BotRule,
  type BotMatch,
  type BotReply,
  type BotButton,
  type BotCard,
  type ReplyKind,
} from './bot-schema.ts';
export { renderReply } from './render.ts';
export { Deliverer, describeRequestError, type DeliveryRecord, type UndeliveredRecord, type Webhook, type OutgoingReply } from './delivery.ts';
export { performHandshake, HANDSHAKE_ENCODINGS, type HandshakeEncoding, type HandshakeOutcome } from './handshake.ts';
export { formatIssue, formatPath, describeIssue } from './issues.ts';
