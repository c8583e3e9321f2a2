// Every built-in piece of Cucumber support code in one module: the World, hooks, parameter
// types and step phrases. A consumer's cucumber config imports it as `apichat-bdd/steps`
// (this repository's own cucumber.js lists the files instead, from source).
import './support/parameters.ts';
import './support/hooks.ts';
import './conversation.steps.ts';
import './simulated-user.steps.ts';
