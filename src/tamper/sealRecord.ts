import type { SealKey } from './SealKey.js';

/** The columns of an `audit_trail_seal` row the MAC covers: every column but `id` and `mac`, all as text. */
export interface SealFields {
  /** The database clock when the seal was written, UTC ISO 8601 text. */
  readonly sealed_at: string;
  /** The audit table as the library names it (`schema.table` outside the default schema). */
  readonly audit_table: string;
  /** The segment's lower bound, exclusive: the previous seal's `to_id`, `0` for the first seal. */
  readonly from_id: string;
  /** The segment's upper bound, inclusive. */
  readonly to_id: string;
  /**
   * The highest `_audit_id` below which no transaction could still commit when the sealing run began. A run
   * seals up to it in segments of bounded size; a transaction's rows never lie on both sides of a watermark.
   */
  readonly watermark: string;
  /** Rows (live or recorded as pruned) in the segment. */
  readonly row_count: string;
  /** The digest of every row up to `to_id` (see `digestStep`). */
  readonly digest: string;
  /** The ids in the segment, `a-b,c,…`. */
  readonly id_ranges: string;
  /** The first hex digits of each row's hash, in id order, concatenated. */
  readonly fingerprints: string;
  /** The MAC of this audit table's previous seal, `''` for the first. */
  readonly previous_mac: string;
  /** The id of the key that made `mac`. */
  readonly key_id: string;
}

/** A seal row as stored. */
export interface SealRow extends SealFields {
  readonly id: string;
  readonly mac: string;
}

/** The seal columns in the order statements list them. */
export const SEAL_COLUMNS = ['sealed_at', 'audit_table', 'from_id', 'to_id', 'watermark', 'row_count', 'digest', 'id_ranges', 'fingerprints', 'previous_mac', 'key_id'] as const satisfies readonly (keyof SealFields)[];

/** The canonical text a seal's MAC covers: `[[column, value], …]` sorted by column name, as JSON. */
export function sealCanonical(fields: SealFields): string {
  return JSON.stringify([...SEAL_COLUMNS].sort().map(column => [column, fields[column]]));
}

/** The seal's MAC under `key`. */
export function sealMac(key: SealKey, fields: SealFields): string {
  return key.mac('seal/v1', sealCanonical(fields));
}

/** A seal row read back: every value as text, whatever the driver returned. */
export function sealRowOf(row: Record<string, unknown>): SealRow {
  const text = (column: string) => (row[column] === null || row[column] === undefined ? '' : String(row[column] as string | number | bigint));
  return Object.freeze({
    id: text('id'),
    mac: text('mac'),
    ...(Object.fromEntries(SEAL_COLUMNS.map(column => [column, text(column)])) as unknown as SealFields),
  });
}

/** What an `audit_trail_pruned` row records about one removed audit row. */
export interface PrunedFields {
  readonly audit_table: string;
  readonly audit_id: string;
  /** The row's `_audit_transaction`, so that verify can bridge its chain; `null` if it had none. */
  readonly audit_transaction: string | null;
  /** The row's `_audit_hash`; `null` for a trigger-backstop row. */
  readonly audit_hash: string | null;
  /** For a backstop row, the content hash that stands for it in seal digests; otherwise `null`. */
  readonly backstop_hash: string | null;
  /** The id of the key that made the MAC: after a key rotation, verify knows which key to check it with. */
  readonly key_id: string;
}

/** The MAC of a prune record: over every field but its id, `pruned_at` and the MAC. */
export function prunedMac(key: SealKey, fields: PrunedFields): string {
  return key.mac('pruned/v1', JSON.stringify([fields.audit_table, fields.audit_id, fields.audit_transaction, fields.audit_hash, fields.backstop_hash, fields.key_id]));
}
