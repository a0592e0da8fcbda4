import type { EntityManager, EntityName } from '@mikro-orm/core';
import type { AuditContextData } from '../context/AuditContext.js';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { databaseClock } from '../sql/databaseClock.js';
import { buildSnapshotInsert, sameValue, varies } from '../sql/snapshotInsert.js';
import type { AuditedChange } from './AuditedChange.js';
import { actorValue } from './actorValue.js';
import { writeChainedBatch } from './chainedSnapshot.js';
import { toDatabaseValue } from './databaseValues.js';
import { addMaskedValues, snapshotRows, type EntityChange, type SnapshotRows } from './snapshotRows.js';
import { storedTimeZoneOffset } from './storedTimeZone.js';

// SQLite accepts 32,766 parameters per statement. Staying under this bound keeps every dialect to one statement
// for most flushes; PostgreSQL receives a few arrays whatever the number of rows.
const MAX_PARAMETERS = 30_000;
// Rows whose track and masked values are computed at once; fewer when rows are large (see `write`).
const ROWS_PER_SLICE = 1000;
// Values per statement, strings counted by length (on MySQL/MariaDB three bytes a character, the most UTF-8 takes).
// Small statements bound the memory a flush of large values takes (about that of the same flush without history,
// see BENCHMARKS.md), and keep a MySQL/MariaDB statement (values written as hex, twice as long) under a 4 MB
// `max_allowed_packet` (MySQL 5.7's default; MariaDB's is 16 MB). Counting UTF-8 bytes exactly would flatten every
// string a track callback built by concatenation: hundreds of megabytes of garbage for a big flush.
const MAX_VALUE_BYTES: Readonly<Record<string, number>> = { mysql: 600_000, postgresql: 1_000_000, sqlite: 1_000_000 };

/** The values every audit row of one write shares (its timestamp is the database clock's, see `statementValuesOf`). */
export interface StatementValues {
  readonly transactionId: string;
  readonly reason: string | null;
  /** The audit context's `user`, as given (see `actorValue`). */
  readonly user: unknown;
}

/**
 * Copies source rows into the audit table on the change's own transaction, each with its change type, track
 * values and masked values, in as few statements as the dialect and the size of the values allow (or
 * `batchSize` rows each, when set). A source row that is gone fails the write (a missing audit row must never go
 * unnoticed), except, with `skipGoneUpdates`, the row of an update that changed nothing because another
 * transaction had deleted the row first (or this write's own cascade deleted it after, with its `D` row
 * written): no change, no version.
 */
export class SnapshotWriter {
  readonly #em: EntityManager;
  readonly #transaction: object;
  readonly #plan: AuditPlan;
  readonly #statementValues: unknown[];
  readonly #transactionId: string;
  readonly #context: AuditContextData | undefined;
  readonly #skipGoneUpdates: boolean;
  #keys: unknown[][] = [];
  // `U` rows held that may turn out gone (with `skipGoneUpdates`).
  #optional = 0;
  #values: unknown[][] = [];
  #bytes = 0;
  // Per row column: whether its value differs between the rows held (such values are sent once per row).
  #varying: boolean[] = [];

  constructor(em: EntityManager, transaction: object, plan: AuditPlan, shared: StatementValues, context: AuditContextData | undefined, skipGoneUpdates = false) {
    this.#em = em;
    this.#skipGoneUpdates = skipGoneUpdates;
    this.#transaction = transaction;
    this.#plan = plan;
    this.#statementValues = statementValuesOf(plan, shared);
    this.#transactionId = shared.transactionId;
    this.#context = context;
  }

  /**
   * Writes the snapshots of `changes`: track values and masked values computed a slice at a time, so that a huge
   * write never holds more than one statement's worth of values.
   */
  async write(changes: readonly AuditedChange[]): Promise<void> {
    const plan = this.#plan;
    const references = changes.some(change => !change.entity) ? this.#em.fork() : undefined;
    let size = ROWS_PER_SLICE;
    for (let start = 0; start < changes.length; ) {
      const slice = changes.slice(start, start + size).map(change => withEntity(plan, change, references));
      start += slice.length;
      const rows = await addMaskedValues(this.#em, this.#transaction, plan, await snapshotRows(plan, slice, this.#em, this.#context), this.#skipGoneUpdates);
      const bytes = await this.#add(rows);
      // Large values (a serialized request per row) are computed a quarter of a statement at a time, so that they
      // are sent and dropped while still young, instead of piling up in V8's old space until a full collection.
      size = Math.max(50, Math.min(ROWS_PER_SLICE, Math.floor(MAX_VALUE_BYTES[plan.shape.dialect]! / 4 / Math.max(1, bytes / rows.keys.length))));
    }
    await this.#flush();
  }

  // Adds rows; writes a statement whenever the rows held reach a statement's size. Returns the rows' size.
  async #add(rows: SnapshotRows): Promise<number> {
    let added = 0;
    const limit = MAX_VALUE_BYTES[this.#plan.shape.dialect]!;
    const perCharacter = this.#plan.shape.dialect === 'mysql' ? 3 : 1;
    for (let i = 0; i < rows.keys.length; i++) {
      const values = rows.values[i]!;
      const first = this.#values[0] ?? values;
      this.#varying = values.map((value, column) => this.#varying[column] === true || !sameValue(value, first[column]));
      this.#keys.push(rows.keys[i]!);
      this.#values.push(values);
      this.#optional += this.#skipGoneUpdates && rows.changeTypes[i] === 'U' ? 1 : 0;
      const bytes = sizeOf(rows.keys[i]!, perCharacter) + sizeOf(values, perCharacter);
      added += bytes;
      this.#bytes += bytes;
      if (this.#bytes >= limit || this.#keys.length >= maxRows(this.#plan, this.#varying.filter(Boolean).length)) {
        await this.#flush();
      }
    }
    return added;
  }

  async #flush(): Promise<void> {
    if (this.#keys.length === 0) {
      return;
    }
    const keys = this.#keys;
    const required = keys.length - this.#optional;
    const batch = { keys, values: this.#values };
    this.#keys = [];
    this.#values = [];
    this.#bytes = 0;
    this.#varying = [];
    this.#optional = 0;
    const written = this.#plan.chain
      ? await writeChainedBatch(this.#em, this.#transaction, this.#plan, this.#statementValues, this.#transactionId, batch, required < keys.length)
      : (await executeStatement(this.#em, this.#transaction, buildSnapshotInsert(this.#plan.shape, this.#statementValues, batch), 'run')).affectedRows;
    if (written !== undefined && (written < required || written > keys.length)) {
      throw AuditTrailError.snapshotMissing(this.#plan.sourceName, keys.length, written);
    }
  }
}

/**
 * The database values of the statement columns (`plan.statementProps`): the database clock as the statement runs
 * (after the write holds its rows' locks, so versions of a row are stamped in the order they commit), the
 * transaction id, the reason and the actor.
 */
export function statementValuesOf(plan: AuditPlan, shared: StatementValues): unknown[] {
  const [, transactionProp, reasonProp] = plan.statementProps;
  const values = [
    databaseClock(plan.shape.dialect, storedTimeZoneOffset(plan)),
    toDatabaseValue(transactionProp!, shared.transactionId, plan.platform),
    toDatabaseValue(reasonProp!, shared.reason, plan.platform),
  ];
  if (plan.actor) {
    values.push(toDatabaseValue(plan.actor.prop, actorValue(plan.actor.column, shared.user, plan.sourceName), plan.platform));
  }
  return values;
}

/** Rows per statement by parameter count: only the keys and the row values that differ between rows are sent per row. */
export function chunkSize(plan: AuditPlan, rows: Pick<SnapshotRows, 'values'>): number {
  return maxRows(plan, plan.shape.rowColumns.filter((_, i) => varies(rows.values, i)).length);
}

function maxRows({ batchSize, shape, chain }: AuditPlan, varyingColumns: number): number {
  if (batchSize !== undefined) {
    return batchSize;
  }
  if (shape.dialect === 'postgresql') {
    return Number.POSITIVE_INFINITY;
  }
  // A chained INSERT also sends each row's hash.
  return Math.max(1, Math.floor(MAX_PARAMETERS / (shape.keyColumns.length + varyingColumns + (chain ? 1 : 0))));
}

function sizeOf(values: readonly unknown[], perCharacter: number): number {
  let bytes = 0;
  for (const value of values) {
    bytes += typeof value === 'string' ? value.length * perCharacter : Buffer.isBuffer(value) ? value.length : 8;
  }
  return bytes;
}

// A row known only by key: track field callbacks get a reference to it, from a fork, so that the writing
// EntityManager's identity map is left alone.
function withEntity(plan: AuditPlan, change: AuditedChange, references: EntityManager | undefined): EntityChange {
  if (change.entity) {
    return change as EntityChange;
  }
  const key = change.key!;
  return { ...change, entity: references!.getReference(plan.source.class as EntityName<object>, (key.length === 1 ? key[0] : key) as never) };
}
