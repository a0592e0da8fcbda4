// The pure parts of seals: id ranges, segments, the seal's canonical text, findings folding.
import { describe, expect, it } from 'vitest';
import { FindingDrafts } from '../../src/tamper/FindingDrafts.js';
import { IdRangesWriter, idsOf } from '../../src/tamper/idRanges.js';
import { SealKey } from '../../src/tamper/SealKey.js';
import { sealCanonical, sealMac, sealRowOf, type SealFields } from '../../src/tamper/sealRecord.js';
import { SEGMENT_TEXT_LIMIT, SegmentBuilder } from '../../src/tamper/SegmentBuilder.js';
import { backstopHash, digestStep } from '../../src/tamper/segmentDigest.js';
import { canonicalEncoding, genesis, rowHash, sha256hex } from '../../src/tamper/chain.js';
import { ChainCheck, type ChainIssue, type ChainLink, type PredecessorLookup } from '../../src/tamper/chainCheck.js';
import type { StreamedRow } from '../../src/tamper/auditRows.js';
import { encoderOf } from '../../src/tamper/auditRows.js';

describe('id ranges', () => {
  it('writes increasing ids as ranges and reads them back one at a time', () => {
    const writer = new IdRangesWriter();
    for (const id of [1n, 2n, 3n, 5n, 7n, 8n, 10_000_000_000n]) {
      writer.add(id);
    }
    expect(writer.toString()).toBe('1-3,5,7-8,10000000000');
    expect(writer.count).toBe(7);
    expect([...idsOf(writer.toString())]).toEqual([1n, 2n, 3n, 5n, 7n, 8n, 10_000_000_000n]);
    expect([...idsOf('')]).toEqual([]);
    expect(() => writer.add(8n)).toThrow(/ids must increase/);
  });

  it('refuses text that is not increasing ranges', () => {
    for (const text of ['3-1', '1,1', '5,2', 'a', '1-2-3', ' 1']) {
      expect(() => [...idsOf(text)], text).toThrow();
    }
  });
});

describe('segments', () => {
  it('chains the digest over rows, from the previous digest, and records ranges and fingerprints', () => {
    const segment = new SegmentBuilder(10n, 'prev');
    segment.add(11n, 'a'.repeat(64));
    segment.add(13n, 'bcde'.repeat(16));
    const expected = digestStep(digestStep('prev', 11n, 'a'.repeat(64)), 13n, 'bcde'.repeat(16));
    expect(expected).toBe(sha256hex(`${sha256hex(`prev\n11:${'a'.repeat(64)}`)}\n13:${'bcde'.repeat(16)}`));
    expect(segment.finish(20n)).toEqual({ from_id: '10', to_id: '20', row_count: '2', digest: expected, id_ranges: '11,13', fingerprints: 'aaaabcde' });
    expect(() => new SegmentBuilder(10n, '').add(10n, 'x')).toThrow(/not above the segment start/);
    expect(() => segment.finish(12n)).toThrow(/cannot end at 12/);
  });

  it('is full before its text would outgrow the limit (MySQL TEXT)', () => {
    const segment = new SegmentBuilder(0n, '');
    let id = 0n;
    while (!segment.full) {
      segment.add((id += 2n), 'f'.repeat(64));
    }
    const done = segment.finish();
    expect(done.fingerprints.length).toBeLessThanOrEqual(SEGMENT_TEXT_LIMIT);
    expect(done.id_ranges.length).toBeLessThanOrEqual(SEGMENT_TEXT_LIMIT);
    expect(backstopHash('[]')).toBe(sha256hex('backstop\n[]'));
  });
});

describe('seal record', () => {
  const fields: SealFields = {
    sealed_at: '2026-01-02T03:04:05.000006Z',
    audit_table: 'a_audit',
    from_id: '0',
    to_id: '9',
    watermark: '9',
    row_count: '3',
    digest: 'd',
    id_ranges: '1-3',
    fingerprints: 'aaaabbbbcccc',
    previous_mac: '',
    key_id: 'k',
  };

  it('MACs the canonical JSON of every field but id and mac, sorted by column', () => {
    expect(sealCanonical(fields)).toBe(
      '[["audit_table","a_audit"],["digest","d"],["fingerprints","aaaabbbbcccc"],["from_id","0"],["id_ranges","1-3"],["key_id","k"],' +
        '["previous_mac",""],["row_count","3"],["sealed_at","2026-01-02T03:04:05.000006Z"],["to_id","9"],["watermark","9"]]',
    );
    const key = SealKey.parse('11'.repeat(32));
    const mac = sealMac(key, fields);
    expect(mac).toMatch(/^[0-9a-f]{64}$/);
    for (const column of Object.keys(fields) as (keyof SealFields)[]) {
      expect(sealMac(key, { ...fields, [column]: `${fields[column]}x` }), column).not.toBe(mac);
    }
    expect(sealRowOf({ ...fields, id: 7, mac, to_id: 9, row_count: 3n })).toMatchObject({ id: '7', to_id: '9', row_count: '3', mac });
  });
});

describe('finding drafts', () => {
  it('finds the removed range between two ids, keeps at most the limit and counts the rest', () => {
    const drafts = new FindingDrafts('t', 3);
    const message = () => 'm';
    drafts.add({ kind: 'removed', auditId: 5n, lastAuditId: 7n, related: [], message });
    drafts.add({ kind: 'removed', auditId: 20n, lastAuditId: 20n, related: [], message });
    expect(drafts.removedBetween(4n, 8n)?.auditId).toBe(5n);
    expect(drafts.removedBetween(null, 6n)?.auditId).toBe(5n);
    expect(drafts.removedBetween(7n, 20n)).toBeUndefined();
    expect(drafts.removedBetween(8n, 21n)?.auditId).toBe(20n);
    const changed = drafts.add({ kind: 'changed', auditId: 30n, related: [], message: related => `related ${related.join(',')}` })!;
    drafts.relate(changed, 32n);
    drafts.relate(changed, 31n);
    drafts.relate(changed, 30n);
    expect(drafts.add({ kind: 'changed', auditId: 40n, related: [], message })).toBeUndefined();
    expect(drafts.omitted).toBe(1);
    expect(drafts.findings().at(-1)).toEqual({ table: 't', auditId: '30', kind: 'changed', message: 'related 31,32', relatedIds: ['31', '32'] });
    expect(drafts.findings()[0]).toMatchObject({ auditId: '5', lastAuditId: '7' });
  });
});

describe('row encoding', () => {
  it('is canonicalEncoding for columns in its order, NULLs left out, any text escaped as JSON does', () => {
    const columns = ['_audit_actor', '_audit_transaction', 'a"b', 'id', 'name', 'ünï', '\u2028'];
    const encode = encoderOf(columns);
    const texts = ['x', null, 'quote " back \\ slash', '12', 'line\nbreak\u2028', '', '\u0000\ud800'];
    for (let n = 0; n < 200; n++) {
      const row = columns.map((_, i) => ((n >> i) & 1 ? null : texts[(n + i) % texts.length]!));
      expect(encode(row)).toBe(canonicalEncoding(columns.map((column, i) => [column, row[i]!] as const)));
    }
    const unsorted = encoderOf(['b', 'a']);
    expect(unsorted(['1', '2'])).toBe('[["a","2"],["b","1"]]');
  });
});

describe('chain check in id order', () => {
  // Transaction `t<n>` rows with ids; each row's hash chained as the writer chains it.
  function history(layout: [id: number, tx: string][]): StreamedRow[] {
    const heads = new Map<string, string>();
    return layout.map(([id, tx]) => {
      const canonical = `[["v","${id}"]]`;
      const hash = rowHash(heads.get(tx) ?? genesis('t', tx), canonical);
      heads.set(tx, hash);
      return { kind: 'a', id: BigInt(id), tx, hash, backstopHash: null, keyId: null, mac: null, canonical };
    });
  }

  async function check(rows: StreamedRow[], pageSize: number, watermarks: bigint[] = []): Promise<{ issues: ChainIssue[]; lookups: number }> {
    const issues: ChainIssue[] = [];
    const chains = new ChainCheck('t', watermarks, rows.length, issue => issues.push(issue));
    let lookups = 0;
    const lookup: PredecessorLookup = before => {
      lookups++;
      const found = new Map<string, ChainLink[]>();
      for (const [tx, id] of before) {
        const earlier = rows.filter(row => row.tx === tx && row.id < id).reverse().slice(0, 2);
        found.set(tx, earlier.map(row => ({ id: row.id, hash: row.hash! })));
      }
      return Promise.resolve(found);
    };
    for (let start = 0; start < rows.length; start += pageSize) {
      rows.slice(start, start + pageSize).forEach(row => chains.add(row));
      await chains.settle(lookup);
    }
    return { issues, lookups };
  }

  const layout: [number, string][] = [[1, 'a'], [2, 'b'], [3, 'a'], [4, 'c'], [5, 'c'], [6, 'd'], [7, 'd'], [8, 'a'], [9, 'b'], [10, 'e']];

  it('finds no issue in intact chains, looking up only transactions that fell out of memory', async () => {
    expect(await check(history(layout), 100)).toEqual({ issues: [], lookups: 0 });
    const paged = await check(history(layout), 2);
    expect(paged.issues).toEqual([]);
    expect(paged.lookups).toBe(2);
  });

  it('names a changed row and a squeezed-in row whether or not their transaction was in memory', async () => {
    for (const pageSize of [100, 3, 2, 1]) {
      const changed = history(layout);
      changed[7] = { ...changed[7]!, canonical: '[["v","changed"]]' };
      expect((await check(changed, pageSize)).issues, `page ${pageSize}`).toEqual([{ kind: 'link', id: 8n, previousId: 3n, tx: 'a' }]);
      // Row 15 squeezed in between rows 6 and 16 of transaction a, with the hash that continues a's chain after 6.
      const intact = history(layout.map(([id, tx]) => [id * 2, tx]));
      const canonical = '[["v","15"]]';
      const forged: StreamedRow = { kind: 'a', id: 15n, tx: 'a', hash: rowHash(intact[2]!.hash!, canonical), backstopHash: null, keyId: null, mac: null, canonical };
      const squeezed = [...intact.slice(0, 7), forged, ...intact.slice(7)];
      const { issues } = await check(squeezed, pageSize);
      expect(issues.map(issue => [issue.kind, issue.id]), `page ${pageSize}`).toEqual([['skip', 15n]]);
    }
  });

  it('marks a row that continues a transaction across a watermark', async () => {
    const rows = history([[1, 'a'], [2, 'b'], [3, 'a']]);
    expect((await check(rows, 100, [2n])).issues).toEqual([{ kind: 'span', id: 3n, previousId: 1n, tx: 'a', watermark: 2n }]);
    expect((await check(rows, 1, [2n])).issues).toEqual([{ kind: 'span', id: 3n, previousId: 1n, tx: 'a', watermark: 2n }]);
  });
});
