// History is hostile input: any value stored in an audited column (or an actor, a reason) may hold terminal control
// sequences. Written as they are, "\u001b[2J" would clear the operator's screen, "\u001b]8;;…" plant a link, a
// carriage return overwrite what a table shows, and bidirectional overrides reorder it. Every text the CLI shows
// in a table passes through here; `--json` output is escaped by JSON itself.

// C0 controls, DEL, C1 controls (CSI is also U+009B), and the Unicode bidirectional and line/paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control character shown as an escape (`\n`, `\x1b`, `\u202e`): printable, one line, inert. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, char => NAMED[char] ?? escapeOf(char));
}

function escapeOf(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
