// Rules for the OpenAI-compatible test double (test/support/ai-double.ts, added with use()) that
// play a simulated user and judge whole conversations, by fixed rules read from the request
// the framework sends (src/ai/user-model.ts, src/ai/conversation-judge.ts): never clever,
// always the same answer for the same request.
//
// The user policy is chosen by words of the goal:
//   "forever"   never stops: says "hi" every turn (ends at the turn limit)
//   "silence"   says "silence" (a bot file that never answers it makes a silent bot)
//   "reserve"   first taps "Reserve", which no bot offers; told back, it books as below
//   otherwise   books: says "hi", taps Book, taps Choose on the card the goal names (else the
//               first), taps Yes, and stops once the bot gave a booking reference
// The conversation judge: a goal is met when every content word of the goal starts a word the
// bot said (or a word starts it); a criterion passes when half of its words do.
import { between, chatReply, stems, type AiRequest, type AiRule } from './ai-double.ts';

interface Shown {
  system: string;
  chat: string;
  offers: Array<{ title: string; card?: string }>;
  /** The framework told the model its previous tap was not offered. */
  retried: boolean;
}

function shown(req: AiRequest): Shown | undefined {
  const messages = (req.body?.messages ?? []) as Array<{ role: string; content: string }>;
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  if (!system.startsWith('You play a person chatting with a chatbot')) return undefined;
  const first = messages.find((m) => m.role === 'user')?.content ?? '';
  const chat = between(first, '<conversation>', '</conversation>') ?? '';
  const list = first.split('Buttons you can tap now:\n')[1] ?? '';
  const offers = [...list.matchAll(/^- "((?:[^"\\]|\\.)*)"(?: on card "((?:[^"\\]|\\.)*)")?$/gm)].map((m) => ({
    title: JSON.parse(`"${m[1]}"`) as string,
    ...(m[2] !== undefined ? { card: JSON.parse(`"${m[2]}"`) as string } : {}),
  }));
  return { system, chat, offers, retried: messages.some((m) => m.role === 'assistant') };
}

const goalOf = (system: string): string => /^Your goal: (.*)$/m.exec(system)?.[1] ?? '';

function answer(req: AiRequest, decision: Record<string, unknown>) {
  return chatReply(String(req.body.model), JSON.stringify(decision));
}

/** Plays the user by the goal's words and what the conversation shows (see the file comment). */
export const userPolicy: AiRule = (req) => {
  const s = shown(req);
  if (!s) return undefined;
  const goal = goalOf(s.system).toLowerCase();
  if (goal.includes('forever')) return answer(req, { action: 'say', text: 'hi', reason: 'I never stop' });
  if (goal.includes('silence')) return answer(req, { action: 'say', text: 'silence', reason: 'waiting for the bot' });
  if (goal.includes('reserve') && !s.retried && s.offers.some((o) => o.title === 'Book')) return answer(req, { action: 'tap', title: 'Reserve', reason: 'looks like booking' });
  if (/booking reference/i.test(s.chat)) return answer(req, { action: 'stop', reason: 'the bot gave a booking reference' });
  const yes = s.offers.find((o) => o.title === 'Yes');
  if (yes) return answer(req, { action: 'tap', title: 'Yes', reason: 'confirm the booking' });
  const choose = s.offers.filter((o) => o.title === 'Choose' && o.card !== undefined);
  const card = choose.find((o) => goal.includes(o.card!.toLowerCase())) ?? choose[0];
  if (card) return answer(req, { action: 'tap', title: 'Choose', card: card.card, reason: `the ${card.card} room` });
  if (s.offers.some((o) => o.title === 'Book')) return answer(req, { action: 'tap', title: 'Book', reason: 'to book a room' });
  return answer(req, { action: 'say', text: 'hi', reason: 'greet the bot' });
};

/** Judges a whole conversation by the words of the goal or criterion (see the file comment). */
export const conversationJudgeRule: AiRule = (req) => {
  const messages = (req.body?.messages ?? []) as Array<{ role: string; content: string }>;
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  if (!system.startsWith('You are a strict judge of chatbot conversations.')) return undefined;
  const chat = between(messages.find((m) => m.role === 'user')?.content ?? '', '<conversation>', '</conversation>') ?? '';
  const botWords = stems(chat.split('\n').filter((l) => l.startsWith('bot: ')).join(' '));
  const goal = /^A user chatted with a chatbot with this goal: (.*)$/m.exec(system)?.[1];
  const criterion = /meets the criterion: (.*)$/m.exec(system)?.[1] ?? '';
  // A parenthesis at the end ("(run 123)", the tests' way of making a goal unique) is not judged.
  const wanted = [...new Set(stems((goal ?? criterion).replace(/\s*\([^)]*\)$/, '')))];
  const found = wanted.filter((w) => botWords.some((b) => b.startsWith(w) || w.startsWith(b)));
  const missing = wanted.filter((w) => !found.includes(w));
  const pass = goal !== undefined ? missing.length === 0 : found.length * 2 >= wanted.length;
  const reason = missing.length === 0 ? `the bot's words cover ${wanted.join(', ')}` : `the bot never says ${missing.join(', ')}`;
  return chatReply(String(req.body.model), JSON.stringify({ pass, reason, score: wanted.length ? found.length / wanted.length : 0 }));
};
