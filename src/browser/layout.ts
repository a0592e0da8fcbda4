import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { html, type SafeHtml } from './html.js';

// The only style of every page, inline so that mounting needs no static files; the CSP allows it by its hash.
const STYLE = html`<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#24303c;color:#fff;padding:.6em 1em}header a{color:#fff;text-decoration:none;font-weight:600}
main{padding:1em;max-width:100%}h1{font-size:1.3em;margin:.2em 0 .6em}h2{font-size:1.1em;margin:1.2em 0 .4em}
.scroll{overflow-x:auto;max-width:100%;border:1px solid #ddd;background:#fff}
table{border-collapse:collapse;font-size:13px}th,td{padding:.3em .6em;border-bottom:1px solid #eee;text-align:left;vertical-align:top;white-space:pre-wrap;word-break:break-word;max-width:28em}
th{background:#f0f2f4;position:sticky;top:0}td.none{color:#999}
.I{color:#17692b}.U{color:#7a5200}.D{color:#a1261b}mark{background:#fff2a8}del{background:#fde2df}ins{background:#dff5e1;text-decoration:none}
form{display:flex;flex-wrap:wrap;gap:.5em;align-items:end;margin:.5em 0 1em}label{display:flex;flex-direction:column;font-size:12px}
input,select,button{font:inherit;padding:.2em .3em}nav.pages{display:flex;gap:1em;margin:.8em 0}.muted{color:#666}
.version{background:#fff;border:1px solid #ddd;padding:.6em;margin:.6em 0}
</style>`;
const CSS = STYLE.toString().slice('<style>'.length, -'</style>'.length);

/** The Content-Security-Policy of every response: no script at all, only the inline style above. */
export const CONTENT_SECURITY_POLICY =
  `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; img-src 'self' data:; ` +
  `form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

/** Sets the headers every response of the browser carries (an export replaces the content type). */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
}

/** A whole page: the shell with the browser's title, a heading and the page's body. */
export function layout(title: string, heading: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${heading} · ${title}</title>${STYLE}</head>
<body><header><a href="?">${title}</a></header><main><h1>${heading}</h1>
${body}
</main></body></html>
`.toString();
}

/** A table in a horizontally scrollable wrapper, so pages stay readable on a phone-sized screen. */
export function scrollTable(head: SafeHtml, rows: SafeHtml[]): SafeHtml {
  return html`<div class="scroll"><table><thead>${head}</thead><tbody>${rows}</tbody></table></div>`;
}
