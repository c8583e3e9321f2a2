// The step phrases (listed in the README): the public contract. Each is one to three lines that hand
// off to the World; the behaviour lives in src/conversation.
import { DataTable, Given, Then, When } from '@cucumber/cucumber';
import { cardRowFromTable, profileFromTable } from '../src/conversation/index.ts';
import type { AttachmentKind } from '../src/protocol/index.ts';
import type { ChatWorld } from './support/world.ts';

Given('a new conversation', async function (this: ChatWorld) {
  await this.newConversation();
});
Given('a new conversation as {string}', async function (this: ChatWorld, name: string) {
  await this.newConversation(this.s(name));
});
Given('a new conversation as {string} with email {string} and phone {string}', async function (this: ChatWorld, name: string, email: string, phone: string) {
  await this.newConversation(this.s(name), { email: this.s(email), phone: this.s(phone) });
});
Given('a new conversation as {string} with email {string}', async function (this: ChatWorld, name: string, email: string) {
  await this.newConversation(this.s(name), { email: this.s(email) });
});
Given('a new conversation as {string} with phone {string}', async function (this: ChatWorld, name: string, phone: string) {
  await this.newConversation(this.s(name), { phone: this.s(phone) });
});
Given('a new conversation as {string} with:', async function (this: ChatWorld, name: string, table: DataTable) {
  await this.newConversation(this.s(name), profileFromTable(table.rowsHash(), (v) => this.s(v)));
});

When('{user} says/say {string}', async function (this: ChatWorld, _u: string, text: string) {
  await this.say(text);
});
When('{user} taps/tap {string}', async function (this: ChatWorld, _u: string, title: string) {
  await this.tap(title);
});
When('{user} taps/tap {string} on card {string}', async function (this: ChatWorld, _u: string, title: string, card: string) {
  await this.tap(title, card);
});
When('{user} sends/send {media} {string}', async function (this: ChatWorld, _u: string, kind: AttachmentKind, url: string) {
  await this.send(kind, url);
});

Then('{bot} replies/reply {string}', async function (this: ChatWorld, _b: string, text: string) {
  await this.expect({ kind: 'text', mode: 'exact', value: this.s(text) });
});
Then('{bot} replies/reply containing {string}', async function (this: ChatWorld, _b: string, part: string) {
  await this.expect({ kind: 'text', mode: 'containing', value: this.s(part) });
});
Then('{bot} replies/reply matching {regex}', async function (this: ChatWorld, _b: string, regex: RegExp) {
  await this.expect({ kind: 'text', mode: 'regex', value: String(regex), regex });
});
Then('{bot} replies/reply one of {strings}', async function (this: ChatWorld, _b: string, texts: string[]) {
  await this.expect({ kind: 'one-of', values: texts.map((t) => this.s(t)) });
});
Then('{bot} replies/reply in {language}', async function (this: ChatWorld, _b: string, language: string) {
  await this.expect({ kind: 'language', language });
});
Then('{bot} replies/reply something like {string}', async function (this: ChatWorld, _b: string, text: string) {
  await this.expect({ kind: 'similar', text: this.s(text) });
});
Then('{bot} replies/reply to the effect that {string}', async function (this: ChatWorld, _b: string, statement: string) {
  await this.expect({ kind: 'effect', statement: this.s(statement) });
});
Then('the judge agrees that {bot}\'s reply {string}', async function (this: ChatWorld, _b: string, criterion: string) {
  await this.expect({ kind: 'judge', criterion: this.s(criterion) });
});
Then('{bot} shows/show buttons {strings}', async function (this: ChatWorld, _b: string, titles: string[]) {
  await this.expect({ kind: 'buttons', titles: titles.map((t) => this.s(t)) });
});
Then('{bot} shows/show button {string}', async function (this: ChatWorld, _b: string, title: string) {
  await this.expect({ kind: 'buttons', titles: [this.s(title)] }); // exactly one button
});
Then('{bot} shows/show a link button {string} to {string}', async function (this: ChatWorld, _b: string, title: string, url: string) {
  await this.expect({ kind: 'link', title: this.s(title), url: this.s(url) });
});
Then('{bot} shows/show a carousel with {int} card(s)', async function (this: ChatWorld, _b: string, count: number) {
  await this.expect({ kind: 'carousel', count });
});
Then('the carousel has cards {strings}', async function (this: ChatWorld, titles: string[]) {
  await this.expect({ kind: 'carousel', titles: titles.map((t) => this.s(t)) });
});
Then('the carousel has cards:', async function (this: ChatWorld, table: DataTable) {
  await this.expect({ kind: 'carousel', rows: table.hashes().map((row) => cardRowFromTable(row, (v) => this.s(v))) });
});
Then('{bot} sends/send {media}', async function (this: ChatWorld, _b: string, media: AttachmentKind) {
  await this.expect({ kind: 'media', media });
});
Then('{bot} sends/send {media} containing {string}', async function (this: ChatWorld, _b: string, media: AttachmentKind, part: string) {
  await this.expect({ kind: 'media', media, urlPart: this.s(part) });
});
Then('{bot} adds/add a private note containing {string}', async function (this: ChatWorld, _b: string, part: string) {
  await this.expect({ kind: 'note', mode: 'containing', value: this.s(part) });
});
Then('{bot} adds/add a private note {string}', async function (this: ChatWorld, _b: string, text: string) {
  await this.expect({ kind: 'note', mode: 'exact', value: this.s(text) });
});
Then('{bot} says/say nothing more', async function (this: ChatWorld, _b: string) {
  await (await this.conversation()).expectNothingMore();
});
Then('{bot} replies/reply within {float} second(s)', async function (this: ChatWorld, _b: string, seconds: number) {
  await (await this.conversation()).expectReplyWithin(seconds * 1000);
});
