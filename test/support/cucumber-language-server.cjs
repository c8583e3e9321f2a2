// Starts the real Cucumber language server over stdio, as the VS Code extension does. Its
// published bin looks for the grammar files in a nested node_modules that npm's hoisting leaves
// empty; this launcher points startStandaloneServer at the hoisted @cucumber/language-service.
// The server globs relative to its working directory: start it in the project's root.
const path = require('node:path');
const { startStandaloneServer } = require('@cucumber/language-server/wasm');
const { NodeFiles } = require('@cucumber/language-server/node');

// The package exports no package.json: its main file is dist/cjs/src/index.js, the grammars are in dist/.
const main = require.resolve('@cucumber/language-service');
const wasmBasePath = main.slice(0, main.lastIndexOf(`${path.sep}dist${path.sep}`) + `${path.sep}dist`.length);
startStandaloneServer(wasmBasePath, (rootUri) => new NodeFiles(rootUri));
