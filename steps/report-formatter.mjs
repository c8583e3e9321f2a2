// The conversation report formatter (reports/conversations.html): a Cucumber formatter plugin.
// Use it in a `format` entry: './steps/report-formatter.mjs:reports/conversations.html'.
// Formatters load in the coordinating process, possibly before any TypeScript loader is
// registered, so this file is plain JavaScript that registers tsx (once) and then imports
// the implementation in src/report.
import { register } from 'tsx/esm/api';

const TSX = Symbol.for('apichat-bdd/tsx-registered');

export default {
  type: 'formatter',
  // formatOptions: { conversationReport: { title: '…' } }
  optionsKey: 'conversationReport',
  async formatter(ctx) {
    if (!globalThis[TSX]) {
      register();
      globalThis[TSX] = true;
    }
    const { conversationReportFormatter } = await import('../src/report/formatter.ts');
    return conversationReportFormatter(ctx);
  },
};
