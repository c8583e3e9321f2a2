// Given/When/Then for the built-in phrases: each registers the step with Cucumber only if the
// phrase catalogue (src/conversation/phrases.ts) lists it under that keyword, so the catalogue —
// what `apichat-bdd steps`, docs/phrases.md and "did you mean" read — cannot drift from the
// steps that exist (test/steps/catalogue.test.ts checks that no catalogue entry is unbound).
// The calls stay literal `Then('…', fn)` in the step file: that is what the Cucumber language
// server reads from the compiled files to complete and check steps in the editor.
import { Given as CucumberGiven, Then as CucumberThen, When as CucumberWhen } from '@cucumber/cucumber';
import { PHRASES, type PhraseKeyword } from '../src/conversation/phrases.ts';
import type { ChatWorld } from './support/world.ts';

/** The catalogue patterns registered so far, in order. */
export const boundPatterns: string[] = [];

// The step's own parameters are typed where it is written.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = (this: ChatWorld, ...args: any[]) => Promise<void>;

function register(keyword: PhraseKeyword, define: typeof CucumberGiven) {
  return (pattern: string, body: Body): void => {
    const entry = PHRASES.find((p) => p.pattern === pattern);
    if (!entry || entry.keyword !== keyword) {
      throw new Error(`apichat-bdd: the built-in step ${keyword}('${pattern}') is not in the phrase catalogue (src/conversation/phrases.ts): add it there with an example`);
    }
    boundPatterns.push(pattern);
    define(pattern, body);
  };
}

export const Given = register('Given', CucumberGiven);
export const When = register('When', CucumberWhen);
export const Then = register('Then', CucumberThen);
