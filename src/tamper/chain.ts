import * as crypto from 'node:crypto';

/** Names the chain's rules: a later change of the encoding or the hash gets a new version string. */
export const CHAIN_VERSION = 'mikro-orm-audit-trail/chain/v1';

/** One audit column and its canonical text as the database computed it (`canonicalExpression`), `null` for NULL. */
export type CanonicalPair = readonly [column: string, text: string | null];

/** Lower-case hex SHA-256 of the UTF-8 bytes of `text`. */
export function sha256hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

// `crypto.hash` (Node 20.12+) hashes a short string about three times faster than a Hash object.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/**
 * The hash a chain starts from: one chain per audit table and `_audit_transaction`. `auditTable` is the unquoted
 * table name as in the plan's shape (`schema.table` outside the default schema).
 */
export function genesis(auditTable: string, transactionId: string): string {
  return sha256hex(`${CHAIN_VERSION}\0${auditTable}\0${transactionId}`);
}

/**
 * The canonical encoding of one audit row: `JSON.stringify` of its `[column, text]` pairs sorted by column name
 * (UTF-16 code unit order). The caller passes every column of the audit table except `_audit_id` (the database
 * assigns it in the insert itself; the chain's order and the seals cover it) and `_audit_hash`.
 *
 * Pairs whose value is NULL are left out: a column added to the audit table later (a new property; every existing
 * row has NULL in it) then changes no existing row's encoding, so a migration does not break every chain. A value
 * set to NULL, or a NULL set to a value, still changes the encoding (the pair disappears or appears), and `''`
 * is not NULL.
 */
export function canonicalEncoding(pairs: Iterable<CanonicalPair>): string {
  const kept: CanonicalPair[] = [];
  for (const pair of pairs) {
    if (pair[1] !== null) {
      kept.push(pair);
    }
  }
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < kept.length; i++) {
    if (kept[i]![0] === kept[i - 1]![0]) {
      throw new Error(`column ${kept[i]![0]} appears twice in an audit row's encoding`);
    }
  }
  return JSON.stringify(kept);
}

/**
 * `canonicalEncoding` for many rows with the same columns: the order and the encoded names are worked out once.
 * `encode(texts)` takes one text (or `null`) per column, in `columns` order, and returns exactly what
 * `canonicalEncoding` returns for those pairs.
 */
export function canonicalEncoder(columns: readonly string[]): (texts: readonly (string | null)[]) => string {
  const order = columns.map((_, i) => i).sort((a, b) => (columns[a]! < columns[b]! ? -1 : columns[a]! > columns[b]! ? 1 : 0));
  order.forEach((index, i) => {
    if (i > 0 && columns[index] === columns[order[i - 1]!]) {
      throw new Error(`column ${columns[index]} appears twice in an audit row's encoding`);
    }
  });
  const names = columns.map(column => `[${JSON.stringify(column)},`);
  return texts => {
    let encoded = '';
    for (const index of order) {
      const text = texts[index];
      if (text !== null && text !== undefined) {
        encoded += `${encoded === '' ? '' : ','}${names[index]!}${JSON.stringify(text)}]`;
      }
    }
    return `[${encoded}]`;
  };
}

/** The hash of a row chained to `previous` (the genesis, or the hash of the transaction's previous row in the table). */
export function rowHash(previous: string, canonical: string): string {
  return sha256hex(`${previous}\n${canonical}`);
}

/**
 * The hashes of rows appended to one chain, in `_audit_id` order: `head` is the hash of the chain's newest row
 * (`null` when the transaction has no row in the table yet, then the genesis is used).
 */
export function chainHashes(auditTable: string, transactionId: string, head: string | null, canonicals: readonly string[]): string[] {
  let previous = head ?? genesis(auditTable, transactionId);
  return canonicals.map(canonical => (previous = rowHash(previous, canonical)));
}
