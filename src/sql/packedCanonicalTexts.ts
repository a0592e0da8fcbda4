/**
 * SQLite: the canonical texts of one row in one column, comma-separated. Reading one column per value cost the
 * pre-read most of its time (the driver builds a property per column per row: 116 ms against 28 ms for 10,000 rows
 * of 12 values, see BENCHMARKS.md). Each text is a `quote()` result, never NULL, and splits back unambiguously:
 * a comma outside single quotes ends a text (`quote` writes a string `'…'` with its quotes doubled, bytes
 * `X'…'`, numbers and `NULL` bare).
 */
export function packQuotedTexts(expressions: readonly string[]): string {
  return expressions.length === 0 ? 'null' : expressions.join(` || ',' || `);
}

/** The `count` texts of a `packQuotedTexts` value, in order. */
export function unpackQuotedTexts(packed: string, count: number): string[] {
  if (count === 0) {
    return [];
  }
  const texts: string[] = [];
  let start = 0;
  let i = 0;
  while (i < packed.length) {
    const code = packed.charCodeAt(i);
    if (code === 39) {
      // Jump to the closing quote; a doubled quote closes and reopens, which the next turn handles.
      const close = packed.indexOf("'", i + 1);
      if (close < 0) {
        throw new Error('mikro-orm-audit-trail: an unterminated string in the pre-read\'s canonical texts');
      }
      i = close + 1;
    } else if (code === 44) {
      texts.push(packed.slice(start, i));
      start = ++i;
    } else {
      i++;
    }
  }
  texts.push(packed.slice(start));
  if (texts.length !== count) {
    throw new Error(`mikro-orm-audit-trail: expected ${count} canonical texts in the pre-read, read ${texts.length}`);
  }
  return texts;
}
