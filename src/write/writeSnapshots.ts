import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { buildSnapshotInsert, sameValue, varies } from '../sql/snapshotInsert.js';
import { toDatabaseValue } from './databaseValues.js';
import type { SnapshotRows } from './snapshotRows.js';

// SQLite accepts 32,766 parameters per statement. Staying under this bound keeps every dialect to one statement
// for most flushes; PostgreSQL receives a few arrays whatever the number of rows.
const MAX_PARAMETERS = 30_000;
// Values per statement, in bytes (strings counted by length): bounds the memory a statement takes, and keeps a
// MySQL/MariaDB statement (values written as hex, twice as long) far under a 16 MB `max_allowed_packet`.
const MAX_VALUE_BYTES: Readonly<Record<string, number>> = { mysql: 3_000_000, postgresql: 8_000_000, sqlite: 8_000_000 };

/** The values every audit row of one statement shares. */
export interface StatementValues {
  readonly timestamp: Date;
  readonly transactionId: string;
  readonly reason: string | null;
}

/**
 * Copies source rows into the audit table on the change's own transaction, in as few statements as the dialect
 * and the size of the values allow (or `batchSize` rows each, when set). Rows are added in slices, so that a
 * large write never holds more than one statement's worth of values. A source row that is gone fails the write:
 * a missing audit row must never go unnoticed.
 */
export class SnapshotWriter {
  readonly #em: EntityManager;
  readonly #transaction: object;
  readonly #plan: AuditPlan;
  readonly #statementValues: unknown[];
  #keys: unknown[][] = [];
  #values: unknown[][] = [];
  #bytes = 0;
  // Per row column: whether its value differs between the rows held (such values are sent once per row).
  #varying: boolean[] = [];

  constructor(em: EntityManager, transaction: object, plan: AuditPlan, shared: StatementValues) {
    this.#em = em;
    this.#transaction = transaction;
    this.#plan = plan;
    this.#statementValues = statementValuesOf(plan, shared);
  }

  /** Adds rows; writes a statement whenever the rows held reach a statement's size. */
  async add(rows: SnapshotRows): Promise<void> {
    const limit = MAX_VALUE_BYTES[this.#plan.shape.dialect]!;
    for (let i = 0; i < rows.keys.length; i++) {
      const values = rows.values[i]!;
      const first = this.#values[0] ?? values;
      this.#varying = values.map((value, column) => this.#varying[column] === true || !sameValue(value, first[column]));
      this.#keys.push(rows.keys[i]!);
      this.#values.push(values);
      this.#bytes += sizeOf(rows.keys[i]!) + sizeOf(values);
      if (this.#bytes >= limit || this.#keys.length >= maxRows(this.#plan, this.#varying.filter(Boolean).length)) {
        await this.flush();
      }
    }
  }

  /** Writes the rows still held. */
  async flush(): Promise<void> {
    if (this.#keys.length === 0) {
      return;
    }
    const keys = this.#keys;
    const statement = buildSnapshotInsert(this.#plan.shape, this.#statementValues, { keys, values: this.#values });
    this.#keys = [];
    this.#values = [];
    this.#bytes = 0;
    this.#varying = [];
    const result = await executeStatement(this.#em, this.#transaction, statement, 'run');
    if (result.affectedRows !== undefined && result.affectedRows !== keys.length) {
      throw AuditTrailError.snapshotMissing(this.#plan.sourceName, keys.length, result.affectedRows);
    }
  }
}

/** The database values of the statement columns (`plan.statementProps`): timestamp, transaction id, reason. */
export function statementValuesOf(plan: AuditPlan, shared: StatementValues): unknown[] {
  const [timestampProp, transactionProp, reasonProp] = plan.statementProps;
  return [
    toDatabaseValue(timestampProp!, shared.timestamp, plan.platform),
    toDatabaseValue(transactionProp!, shared.transactionId, plan.platform),
    toDatabaseValue(reasonProp!, shared.reason, plan.platform),
  ];
}

/** Rows per statement by parameter count: only the keys and the row values that differ between rows are sent per row. */
export function chunkSize(plan: AuditPlan, rows: SnapshotRows): number {
  return maxRows(plan, plan.shape.rowColumns.filter((_, i) => varies(rows.values, i)).length);
}

function maxRows({ batchSize, shape }: AuditPlan, varyingColumns: number): number {
  if (batchSize !== undefined) {
    return batchSize;
  }
  if (shape.dialect === 'postgresql') {
    return Number.POSITIVE_INFINITY;
  }
  return Math.max(1, Math.floor(MAX_PARAMETERS / (shape.keyColumns.length + varyingColumns)));
}


function sizeOf(values: readonly unknown[]): number {
  let bytes = 0;
  for (const value of values) {
    bytes += typeof value === 'string' ? value.length : Buffer.isBuffer(value) ? value.length : 8;
  }
  return bytes;
}
