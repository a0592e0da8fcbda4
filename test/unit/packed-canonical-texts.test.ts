import { describe, expect, it } from 'vitest';
import { packQuotedTexts, unpackQuotedTexts } from '../../src/sql/packedCanonicalTexts.js';

describe('packed canonical texts (SQLite pre-read)', () => {
  it('splits quote() results back, whatever commas and quotes the strings hold', () => {
    const texts = ["'a,b'", "''", "'it''s, ok'", 'NULL', '1.5', "X'2C27'", "''','''", "'x'||char(0)||'y'", "'\u{1F600},'"];
    expect(unpackQuotedTexts(texts.join(','), texts.length)).toEqual(texts);
  });

  it('refuses a text that does not split into the expected number of values', () => {
    expect(() => unpackQuotedTexts("'a',1", 3)).toThrow(/expected 3 canonical texts/);
    expect(() => unpackQuotedTexts("'a,1", 2)).toThrow(/unterminated/);
    expect(unpackQuotedTexts('', 0)).toEqual([]);
  });

  it('joins the expressions with SQL concatenation', () => {
    expect(packQuotedTexts(['quote(a)', 'quote(b)'])).toBe(`quote(a) || ',' || quote(b)`);
    expect(packQuotedTexts([])).toBe('null');
  });
});
