// The conversation report formatter (reports/conversations.html): a Cucumber formatter plugin.
// Use it in a `format` entry: 'apichat-bdd/report-formatter:reports/conversations.html' (in
// this repository './steps/report-formatter.mjs:…'). Formatters load in the coordinating
// process, possibly before any TypeScript loader is registered, so this file is plain
// JavaScript that loads the implementation in src/report (compiled, or the source via tsx).
import { importCompiledOrSource } from './load.mjs';

export default {
  type: 'formatter',
  // formatOptions: { conversationReport: { title: '…' } }
  optionsKey: 'conversationReport',
  async formatter(ctx) {
    const { conversationReportFormatter } = await importCompiledOrSource(new URL('../src/report/formatter', import.meta.url));
    return conversationReportFormatter(ctx);
  },
};
