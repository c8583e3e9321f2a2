// `apichat-bdd init` in a temporary folder: what it creates, that it never overwrites, the
// .gitignore lines, .env.example from the variable table, and the one-line error without a
// package.json. (Running the scaffold with Cucumber is test/integration/package.test.ts.)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { main } from '../../src/cli.ts';
import { VARIABLES } from '../../src/config.ts';
import { Capture } from './helpers.ts';

function tempDir(t: TestContext, withPackageJson = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'apichat-init-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  if (withPackageJson) writeFileSync(join(dir, 'package.json'), '{ "name": "my-bot" }\n');
  return dir;
}

async function init(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main({ argv: ['init'], env: {}, cwd: dir, stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const FILES = ['cucumber.mjs', 'features/example.feature', 'steps/example.steps.ts', 'steps/package.json', '.env.example'];

describe('apichat-bdd init', () => {
  it('creates the config, example feature and step, steps/package.json, .env.example and .gitignore; prints the next commands', async (t) => {
    const dir = tempDir(t);
    const r = await init(dir);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    for (const f of FILES) {
      assert.ok(existsSync(join(dir, f)), f);
      assert.match(r.stdout, new RegExp(`created  ${f.replace('.', '\\.')}`));
    }
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'reports/\n.env\n.apichat-bdd/\n');
    // A bare temporary folder has no Cucumber installed (npm installs it as a peer otherwise).
    assert.match(r.stdout, /note     @cucumber\/cucumber is not installed .*: npm install -D @cucumber\/cucumber@12/);
    assert.match(r.stdout, /Next:\n  npx cucumber-js .*\n  cp \.env\.example \.env .*\n  npx apichat-bdd doctor /);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'steps/package.json'), 'utf8')), { type: 'module' });
    const config = readFileSync(join(dir, 'cucumber.mjs'), 'utf8');
    for (const s of ["'apichat-bdd/register'", "'apichat-bdd/steps'", "plugin: ['apichat-bdd/plugin']", 'apichat-bdd/report-formatter:reports/conversations.html', 'formatOptions: { printAttachments: false }']) assert.ok(config.includes(s), s);
  });

  it('.env.example lists every APICHAT_* variable of the configuration table, commented out', async (t) => {
    const dir = tempDir(t);
    await init(dir);
    const text = readFileSync(join(dir, '.env.example'), 'utf8');
    for (const [name, what] of Object.entries(VARIABLES)) {
      assert.ok(text.includes(`# ${name}=\n`), name);
      assert.ok(text.includes(`# ${what}\n`), `${name} is explained`);
    }
    assert.ok(!/^APICHAT_/m.test(text), 'nothing is set');
  });

  it('never overwrites: a second run skips everything; an existing cucumber config and .gitignore lines are left alone', async (t) => {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'cucumber.js'), 'module.exports = {};\n');
    writeFileSync(join(dir, '.gitignore'), 'node_modules\nreports/');
    mkdirSync(join(dir, 'features'));
    writeFileSync(join(dir, 'features/example.feature'), 'mine\n');
    const first = await init(dir);
    assert.equal(first.code, 0);
    assert.match(first.stdout, /skipped  cucumber\.mjs \(cucumber\.js exists: add apichat-bdd's import, plugin and format entries/);
    assert.match(first.stdout, /skipped  features\/example\.feature \(exists\)/);
    assert.ok(!existsSync(join(dir, 'cucumber.mjs')));
    assert.equal(readFileSync(join(dir, 'features/example.feature'), 'utf8'), 'mine\n');
    assert.equal(readFileSync(join(dir, '.gitignore'), 'utf8'), 'node_modules\nreports/\n.env\n.apichat-bdd/\n');

    const before = Object.fromEntries(['steps/example.steps.ts', '.env.example', '.gitignore'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    const second = await init(dir);
    assert.equal(second.code, 0);
    assert.doesNotMatch(second.stdout, /created/);
    assert.match(second.stdout, /skipped  \.gitignore \(already ignores reports\/, \.env, \.apichat-bdd\/\)/);
    for (const [f, text] of Object.entries(before)) assert.equal(readFileSync(join(dir, f), 'utf8'), text, f);
  });

  it('without a package.json: one line saying what to do, exit 2, nothing written', async (t) => {
    const dir = tempDir(t, false);
    const r = await init(dir);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /init: no package\.json in .*: run it in your bot's repository \(or create one with `npm init -y`\), after `npm install -D apichat-bdd`/);
    assert.ok(!existsSync(join(dir, 'cucumber.mjs')));
  });

  it('takes no arguments', async (t) => {
    const stderr = new Capture();
    const code = await main({ argv: ['init', 'x'], env: {}, cwd: tempDir(t), stdout: new Capture(), stderr });
    assert.equal(code, 2);
    assert.match(stderr.text, /init takes no arguments/);
  });

  describe('VS Code files', () => {
    const read = (dir: string, f: string): Record<string, unknown> => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;

    it('writes settings for the Cucumber extension (features, glue with the package\'s compiled steps, the unreadable parameter types, the bot-file schema) and recommends the extensions', async (t) => {
      const dir = tempDir(t);
      const r = await init(dir);
      assert.match(r.stdout, /created  \.vscode\/settings\.json\n/);
      assert.match(r.stdout, /created  \.vscode\/extensions\.json\n/);
      const settings = read(dir, '.vscode/settings.json');
      assert.deepEqual(settings['cucumber.features'], ['features/**/*.feature']);
      assert.deepEqual(settings['cucumber.glue'], ['steps/**/*.{ts,mts,js,mjs}', 'node_modules/apichat-bdd/dist/steps/**/*.js']);
      const types = settings['cucumber.parameterTypes'] as Array<{ name: string; regexp: string }>;
      assert.deepEqual(types.map((p) => p.name), ['media', 'strings']);
      assert.match('an image', new RegExp(`^(?:${types[0]!.regexp})$`));
      assert.match('"Rooms", "Book" and \'Help\'', new RegExp(`^(?:${types[1]!.regexp})$`));
      assert.deepEqual(settings['yaml.schemas'], { 'node_modules/apichat-bdd/dist/schema/bot-file.schema.json': 'bots/*.{yaml,yml}' });
      assert.deepEqual(read(dir, '.vscode/extensions.json'), { recommendations: ['CucumberOpen.cucumber-official', 'redhat.vscode-yaml'] });
    });

    it('merges into existing files: the user\'s settings stay, only what is missing is added', async (t) => {
      const dir = tempDir(t);
      mkdirSync(join(dir, '.vscode'));
      writeFileSync(join(dir, '.vscode/settings.json'), JSON.stringify({ 'editor.tabSize': 4, 'cucumber.glue': ['support/**/*.ts'], 'cucumber.parameterTypes': [{ name: 'strings', regexp: 'mine' }] }));
      writeFileSync(join(dir, '.vscode/extensions.json'), JSON.stringify({ recommendations: ['esbenp.prettier-vscode', 'cucumberopen.cucumber-official'] }));
      const r = await init(dir);
      assert.match(r.stdout, /created  \.vscode\/settings\.json \(added cucumber\.features, cucumber\.glue \(\+2\), cucumber\.parameterTypes \(\+1\), yaml\.schemas\)/);
      const settings = read(dir, '.vscode/settings.json');
      assert.equal(settings['editor.tabSize'], 4);
      assert.deepEqual(settings['cucumber.glue'], ['support/**/*.ts', 'steps/**/*.{ts,mts,js,mjs}', 'node_modules/apichat-bdd/dist/steps/**/*.js']);
      assert.deepEqual(settings['cucumber.parameterTypes'], [{ name: 'strings', regexp: 'mine' }, { name: 'media', regexp: (settings['cucumber.parameterTypes'] as Array<{ regexp: string }>)[1]!.regexp }]);
      assert.deepEqual(read(dir, '.vscode/extensions.json'), { recommendations: ['esbenp.prettier-vscode', 'cucumberopen.cucumber-official', 'redhat.vscode-yaml'] });
    });

    it('leaves a settings.json with comments as it is, saying in one line what to add', async (t) => {
      const dir = tempDir(t);
      mkdirSync(join(dir, '.vscode'));
      const text = '{\n  // my settings\n  "editor.tabSize": 2,\n}\n';
      writeFileSync(join(dir, '.vscode/settings.json'), text);
      const r = await init(dir);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /skipped  \.vscode\/settings\.json \(not plain JSON \(comments or trailing commas\?\), left as it is: add cucumber\.features, cucumber\.glue, cucumber\.parameterTypes, yaml\.schemas by hand \(docs\/editor\.md\)\)\n/);
      assert.equal(readFileSync(join(dir, '.vscode/settings.json'), 'utf8'), text);
    });
  });
});
