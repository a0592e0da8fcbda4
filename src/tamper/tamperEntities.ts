import { BigIntType, EntitySchema } from '@mikro-orm/core';
import { findDefinition } from '../define/AuditRegistry.js';

/** The seal table, one row per sealed segment of one audit table (see `sealRecord.ts`). */
export const SEAL_TABLE = 'audit_trail_seal';
/** The prune record table, one row per audit row removed by a prune of a tamper-evident table. */
export const PRUNED_TABLE = 'audit_trail_pruned';

/** A row of `audit_trail_seal` as the ORM reads it (`em.find(AuditTrailSeal, …)`); read-only. */
export interface AuditTrailSealEntity {
  id: number;
  sealed_at: string;
  audit_table: string;
  from_id: string;
  to_id: string;
  watermark: string;
  row_count: string;
  digest: string;
  id_ranges: string;
  fingerprints: string;
  previous_mac: string;
  key_id: string;
  mac: string;
}

/** A row of `audit_trail_pruned` as the ORM reads it; read-only. */
export interface AuditTrailPrunedEntity {
  id: number;
  pruned_at: Date;
  audit_table: string;
  audit_id: string;
  audit_transaction: string | null;
  audit_hash: string | null;
  backstop_hash: string | null;
  key_id: string;
  mac: string;
}

const text = (length?: number) => ({ type: length ? 'string' : 'text', length, nullable: false });
const optional = (length: number) => ({ type: 'string', length, nullable: true });
const bigint = { type: 'bigint', nullable: false };
const key = { type: new BigIntType('number'), primary: true, autoincrement: true };

// Column names are given explicitly (as are the property names, the same): the library's statements name them,
// whatever naming strategy the application uses. `text` columns hold at most 60,000 characters (a seal segment
// is cut before), which fits MySQL/MariaDB's TEXT.
/** `audit_trail_seal` as a library entity: the application's schema tools and migrations create it. */
export const AuditTrailSeal = new EntitySchema<AuditTrailSealEntity>({
  name: 'AuditTrailSeal',
  tableName: SEAL_TABLE,
  properties: {
    id: { ...key, fieldName: 'id' },
    sealed_at: { ...text(32), fieldName: 'sealed_at' },
    audit_table: { ...text(255), fieldName: 'audit_table' },
    from_id: { ...bigint, fieldName: 'from_id' },
    to_id: { ...bigint, fieldName: 'to_id' },
    watermark: { ...bigint, fieldName: 'watermark' },
    row_count: { ...bigint, fieldName: 'row_count' },
    digest: { ...text(64), fieldName: 'digest' },
    id_ranges: { ...text(), fieldName: 'id_ranges' },
    fingerprints: { ...text(), fieldName: 'fingerprints' },
    previous_mac: { ...text(64), fieldName: 'previous_mac' },
    key_id: { ...text(16), fieldName: 'key_id' },
    mac: { ...text(64), fieldName: 'mac' },
  },
  // One seal per start: a second sealing run that raced this one fails instead of forking the table's seals.
  uniques: [{ name: 'audit_trail_seal_from_unique', properties: ['audit_table', 'from_id'] }],
  indexes: [{ name: 'audit_trail_seal_to_index', properties: ['audit_table', 'to_id'] }],
});

/** `audit_trail_pruned` as a library entity. */
export const AuditTrailPruned = new EntitySchema<AuditTrailPrunedEntity>({
  name: 'AuditTrailPruned',
  tableName: PRUNED_TABLE,
  properties: {
    id: { ...key, fieldName: 'id' },
    pruned_at: { type: 'datetime', length: 3, nullable: false, fieldName: 'pruned_at' },
    audit_table: { ...text(255), fieldName: 'audit_table' },
    audit_id: { ...bigint, fieldName: 'audit_id' },
    audit_transaction: { ...optional(36), fieldName: 'audit_transaction' },
    audit_hash: { ...optional(64), fieldName: 'audit_hash' },
    backstop_hash: { ...optional(64), fieldName: 'backstop_hash' },
    key_id: { ...text(16), fieldName: 'key_id' },
    mac: { ...text(64), fieldName: 'mac' },
  },
  // Verify reads records in the two orders it reads audit rows: by id, and by transaction then id.
  indexes: [
    { name: 'audit_trail_pruned_id_index', properties: ['audit_table', 'audit_id'] },
    { name: 'audit_trail_pruned_transaction_index', properties: ['audit_table', 'audit_transaction', 'audit_id'] },
  ],
});

/** The entity names of both tables. */
export const TAMPER_ENTITY_NAMES: readonly string[] = ['AuditTrailSeal', 'AuditTrailPruned'];

/**
 * `entities` with the seal and prune record tables appended when tamper evidence is on: for the module, or for
 * one of the listed entities. The application's schema tools and migrations then create them.
 */
export function withTamperEntities(entities: unknown[], options: { readonly tamperEvidence?: boolean }): unknown[] {
  const wanted = options.tamperEvidence === true || entities.some(entity => typeof entity === 'object' || typeof entity === 'function' ? tamperEvidenceOf(entity as object) : false);
  if (wanted) {
    for (const schema of [AuditTrailSeal, AuditTrailPruned]) {
      if (!entities.includes(schema)) {
        entities.push(schema);
      }
    }
  }
  return entities;
}

function tamperEvidenceOf(entity: object): boolean {
  return findDefinition(entity)?.options?.tamperEvidence === true;
}
