import { describe, expect, it } from 'vitest';
import { canonicalEncoder, canonicalEncoding, chainHashes, genesis, rowHash, sha256hex } from '../../src/tamper/chain.js';

// Reference values computed outside Node: printf 'mikro-orm-audit-trail/chain/v1\0person_audit\0tx-1' | sha256sum
const GENESIS = 'c4af7bd8fec58d95db2509fb388f3bfed458c13f69298c57ae514e4ec47eb611';
// printf '%s\n[["_audit_change_type","I"],["name","O'\''Brien"]]' $GENESIS | sha256sum
const FIRST = 'd159b92ae4f3d866955047ccef712ebf781515e2cff6fc9626b395d458c6f303';

describe('the hash chain', () => {
  it('starts from the genesis of the table and transaction', () => {
    expect(genesis('person_audit', 'tx-1')).toBe(GENESIS);
    expect(genesis('person_audit', 'tx-2')).not.toBe(GENESIS);
    expect(genesis('other_audit', 'tx-1')).not.toBe(GENESIS);
    // The separator keeps table and transaction apart.
    expect(genesis('a', 'bc')).not.toBe(genesis('ab', 'c'));
  });

  it('links each row to the previous hash over its canonical encoding', () => {
    const canonical = canonicalEncoding([['name', "O'Brien"], ['_audit_change_type', 'I']]);
    expect(canonical).toBe('[["_audit_change_type","I"],["name","O\'Brien"]]');
    expect(rowHash(GENESIS, canonical)).toBe(FIRST);
    expect(chainHashes('person_audit', 'tx-1', null, [canonical, canonical])).toEqual([FIRST, rowHash(FIRST, canonical)]);
    expect(chainHashes('person_audit', 'tx-1', FIRST, [canonical])).toEqual([rowHash(FIRST, canonical)]);
  });

  it('sorts columns by UTF-16 code unit, not by locale', () => {
    expect(canonicalEncoding([['b', '1'], ['B', '2'], ['_a', '3'], ['é', '4'], ['a', '5']])).toBe('[["B","2"],["_a","3"],["a","5"],["b","1"],["é","4"]]');
  });

  it('leaves NULL columns out (a column added later changes no old row), but keeps the empty string', () => {
    const withNull = canonicalEncoding([['name', 'x'], ['added_later', null]]);
    expect(withNull).toBe(canonicalEncoding([['name', 'x']]));
    expect(canonicalEncoding([['name', '']])).not.toBe(canonicalEncoding([['name', null]]));
    expect(canonicalEncoding([['name', 'null']])).not.toBe(canonicalEncoding([['name', null]]));
  });

  it('encodes hostile text unambiguously', () => {
    const texts = ['a","b', 'a\\"', '\n', '😀', '\u2028', "'; drop table x; --"];
    const encodings = texts.map(text => canonicalEncoding([['c', text]]));
    expect(new Set(encodings).size).toBe(texts.length);
    encodings.forEach((encoding, i) => expect(JSON.parse(encoding)).toEqual([['c', texts[i]]]));
    // Splitting a value across two columns gives another encoding.
    expect(canonicalEncoding([['a', 'x'], ['b', 'y']])).not.toBe(canonicalEncoding([['a', 'x","b","y']]));
  });

  it('refuses a column named twice', () => {
    expect(() => canonicalEncoding([['a', '1'], ['a', '2']])).toThrow(/twice/);
  });

  it('hashes UTF-8 bytes', () => {
    expect(sha256hex('\u00e9')).toBe('4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c');
    expect(sha256hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('canonicalEncoder', () => {
  it('encodes exactly as canonicalEncoding, NULLs left out, for any order of columns', () => {
    const columns = ['name', '_audit_id_x', 'B', 'a', 'é', 'z1', 'z10', 'z2'];
    const encode = canonicalEncoder(columns);
    const texts = [null, '', 'x', '"\\\n', '😀', "'it''s'", 'null', '\u2028'];
    for (let seed = 0; seed < 200; seed++) {
      const row = columns.map((_, i) => texts[(seed * 7 + i * 3 + (seed >> i)) % texts.length]!);
      expect(encode(row)).toBe(canonicalEncoding(columns.map((column, i) => [column, row[i]!] as const)));
    }
    expect(encode(columns.map(() => null))).toBe('[]');
    expect(() => canonicalEncoder(['a', 'b', 'a'])).toThrow(/twice/);
  });
});
