import type { EntityManager, EntityName } from '@mikro-orm/core';
import type { AuditContextData } from '../context/AuditContext.js';
import type { TrackFieldArgs } from '../define/AuditTrailOptions.js';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { databaseClock } from '../sql/databaseClock.js';
import { buildSnapshotInsert, sameValue, varies } from '../sql/snapshotInsert.js';
import type { AuditedChange } from './AuditedChange.js';
import { toDatabaseValue, toDatabaseValues } from './databaseValues.js';
import { keyString } from './keyString.js';
import { selectByKeys } from './selectByKeys.js';
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
}

/**
 * Copies source rows into the audit table on the change's own transaction, each with its change type, track
 * values and masked values, in as few statements as the dialect and the size of the values allow (or
 * `batchSize` rows each, when set). A source row that is gone fails the write: a missing audit row must never go
 * unnoticed.
 */
export class SnapshotWriter {
  readonly #em: EntityManager;
  readonly #transaction: object;
  readonly #plan: AuditPlan;
  readonly #statementValues: unknown[];
  readonly #context: AuditContextData | undefined;
  #keys: unknown[][] = [];
  #values: unknown[][] = [];
  #bytes = 0;
  // Per row column: whether its value differs between the rows held (such values are sent once per row).
  #varying: boolean[] = [];

  constructor(em: EntityManager, transaction: object, plan: AuditPlan, shared: StatementValues, context: AuditContextData | undefined) {
    this.#em = em;
    this.#transaction = transaction;
    this.#plan = plan;
    this.#statementValues = statementValuesOf(plan, shared);
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
      const rows = await snapshotRows(plan, slice, this.#em, this.#context);
      await addMaskedValues(this.#em, this.#transaction, plan, rows);
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

/**
 * The database values of the statement columns (`plan.statementProps`): the database clock as the statement runs
 * (after the write holds its rows' locks, so versions of a row are stamped in the order they commit), the
 * transaction id and the reason.
 */
export function statementValuesOf(plan: AuditPlan, shared: StatementValues): unknown[] {
  const [, transactionProp, reasonProp] = plan.statementProps;
  return [
    databaseClock(plan.shape.dialect, storedTimeZoneOffset(plan.platform)),
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

function sizeOf(values: readonly unknown[], perCharacter: number): number {
  let bytes = 0;
  for (const value of values) {
    bytes += typeof value === 'string' ? value.length * perCharacter : Buffer.isBuffer(value) ? value.length : 8;
  }
  return bytes;
}

/** The rows of one audit statement, column by column: source keys and the values of the plan's row columns. */
export interface SnapshotRows {
  readonly keys: unknown[][];
  readonly values: unknown[][];
}

/**
 * The statement rows of `changes`: each entity's key (read now, so inserts have their generated ID) and its
 * change type and track field values. Track callbacks may be async; the common synchronous case awaits nothing.
 */
export async function snapshotRows(
  plan: AuditPlan,
  changes: readonly EntityChange[],
  em: EntityManager,
  context: AuditContextData | undefined,
): Promise<SnapshotRows> {
  const keys: unknown[][] = [];
  const values: unknown[][] = [];
  const pending: Promise<void>[] = [];
  // A constant track value is converted once per statement, not once per row.
  const constants = plan.trackFields.map(({ field, prop }) =>
    typeof field.value === 'function' ? undefined : toDatabaseValues(prop, field.value, plan.platform),
  );
  for (const { entity, changeType, key: known } of changes) {
    const key = known ?? plan.readKey(entity);
    if (!key) {
      throw AuditTrailError.missingPrimaryKey(plan.sourceName);
    }
    keys.push(key);
    const row: unknown[] = plan.options.saveChangeType ? [changeType] : [];
    values.push(row);
    plan.trackFields.forEach(({ field, prop }, i) => {
      const constant = constants[i];
      if (constant) {
        row.push(...constant);
        return;
      }
      const value = (field.value as (args: TrackFieldArgs) => unknown)({ entity, changeType, em, context });
      const at = row.length;
      row.push(...prop.fieldNames.map(() => null));
      const fill = (resolved: unknown): void => {
        row.splice(at, prop.fieldNames.length, ...toDatabaseValues(prop, resolved, plan.platform));
      };
      if (value instanceof Promise) {
        pending.push(value.then(fill));
      } else {
        fill(value);
      }
    });
  }
  await Promise.all(pending);
  return { keys, values };
}

/**
 * Appends each row's masked values to its row values. The masked columns are read from the source rows inside
 * the change's transaction (the entity in memory may not hold them: partial loads, references), masked here,
 * and only the masked values are sent to the audit table: the originals never reach it.
 */
async function addMaskedValues(em: EntityManager, transaction: object, plan: AuditPlan, rows: SnapshotRows): Promise<void> {
  if (plan.masks.length === 0 || rows.keys.length === 0) {
    return;
  }
  const { keyColumns, sourceTable } = plan.shape;
  const keyNames = keyColumns.map(column => column.name);
  const found = new Map<string, unknown[]>();
  const columns = [...keyNames, ...plan.masks.map(masked => masked.sourceColumn)];
  // Drivers return a date key as text (MikroORM parses dates itself): read it back as MikroORM would.
  const dates = rows.keys[0]!.map(value => value instanceof Date);
  for (const values of await selectByKeys(em, transaction, plan.shape, sourceTable, keyNames, rows.keys, columns)) {
    const key = values.slice(0, keyNames.length).map((value, i) => (dates[i] && typeof value === 'string' ? plan.platform.parseDate(value) : value));
    found.set(keyString(key), values.slice(keyNames.length));
  }
  rows.keys.forEach((key, i) => {
    // A row not found (gone, or a key the database returns in another form) must never be recorded as masked
    // NULLs: the write fails, as the snapshot of a missing row does.
    const raw = found.get(keyString(key));
    if (!raw) {
      throw AuditTrailError.snapshotMissing(plan.sourceName, rows.keys.length, found.size);
    }
    rows.values[i]!.push(...plan.masks.flatMap((masked, j) => toDatabaseValues(masked.prop, masked.mask(raw[j]), plan.platform)));
  });
}

/** A change whose entity is known (a reference, for rows known by key). */
export type EntityChange = AuditedChange & { readonly entity: object };

// A row known only by key: track field callbacks get a reference to it, from a fork, so that the writing
// EntityManager's identity map is left alone.
function withEntity(plan: AuditPlan, change: AuditedChange, references: EntityManager | undefined): EntityChange {
  if (change.entity) {
    return change as EntityChange;
  }
  const key = change.key!;
  return { ...change, entity: references!.getReference(plan.source.class as EntityName<object>, (key.length === 1 ? key[0] : key) as never) };
}
