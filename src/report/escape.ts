// Everything the bot, the user or a step wrote is data: escaped for HTML text and attributes,
// for XML (SVG), and only http(s) URLs are ever made into links or media sources.
import { parseHttpUrl } from '../base/url.ts';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in HTML text and in double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Safe in XML text and attributes; drops characters XML 1.0 cannot carry. */
export function escapeXml(value: unknown): string {
  return String(value ?? '')
    // Control characters other than tab, newline and carriage return are not XML 1.0.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
    .replace(/[&<>"']/g, (c) => (c === "'" ? '&apos;' : (HTML_ESCAPES[c] ?? c)));
}

/** The URL if it is an absolute http(s) URL (safe to put in href/src), else null. */
export function safeUrl(url: unknown): string | null {
  return typeof url === 'string' ? (parseHttpUrl(url)?.href ?? null) : null;
}

export { truncate } from '../base/text.ts';
