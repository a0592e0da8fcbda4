import type { EntityManager, EntityMetadata } from '@mikro-orm/core';
import type { AuditContextData } from '../context/AuditContext.js';
import type { ChangeType } from '../define/AuditColumns.js';
import type { AuditPlan, AuditPlans, PivotPlan } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import type { AfterStatements, AuditedChange, BeforeStatements, ChangedRows } from './AuditedChange.js';
import type { TransactionIds } from './TransactionIds.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { buildSavepoint } from '../sql/savepoints.js';
import { markRecorded } from './backstopMarks.js';
import { findCascadedRows } from './cascadedRows.js';
import { keyString } from './keyString.js';
import { lockRowsToDelete, type KeyedChange } from './lockRowsToDelete.js';
import { readPivotRows, writePivotChanges, type PivotRows } from './pivotChanges.js';
import { SnapshotWriter, type StatementValues } from './SnapshotWriter.js';

let savepoints = 0;

/** What a session needs of the writer that outlives it (see `AuditWriter`). */
export interface SessionHost {
  readonly plans: AuditPlans;
  readonly transactionIds: TransactionIds;
  track(transaction: object, session: WriteSession, open: boolean): void;
  awaitPivotWrites(transaction: object, read: () => Promise<void>): void;
  isMarked(transaction: object): boolean;
  setMarked(transaction: object, marked: boolean): void;
  /** Clears the backstop mark of a transaction that ends (or a savepoint rolled back). */
  ending(em: EntityManager, transaction: unknown): Promise<void>;
}

/**
 * The audit of one write (a flush, a native write, a query builder statement): one transaction id and one context
 * for all of its audit rows, each stamped by the database clock as it is written (see `databaseClock`).
 * `before()` runs once the write's transaction is open and before its statements: `D` rows of the rows about to
 * be deleted (with those the database cascades to; a flush describes them later, see `beforeDeletes()`), and the
 * read of the pivot rows as they were, right before MikroORM writes them. `after()` runs once the statements ran:
 * `I`/`U` rows, rows the database nulled, pivot rows that changed.
 */
export class WriteSession {
  readonly context: AuditContextData | undefined;
  readonly #writer: SessionHost;
  readonly #em: EntityManager;
  #transaction: object | undefined;
  #tracked = false;
  #done = false;
  #nulled = new Map<AuditPlan, unknown[][]>();
  readonly #cascaded = new Map<AuditPlan, Set<string>>();
  #pivotOwners: ReadonlyMap<PivotPlan, ReadonlySet<object>> = new Map();
  readonly #pivotBefore = new Map<PivotPlan, PivotRows>();

  constructor(writer: SessionHost, em: EntityManager, context: AuditContextData | undefined) {
    this.#writer = writer;
    this.#em = em;
    this.context = context;
  }

  /**
   * The write's transaction is open and its statements are about to run. `owned` is false when the transaction
   * belongs to the caller (it must then not commit until this session finished).
   */
  async before(transaction: object, intent: BeforeStatements, owned: boolean): Promise<void> {
    this.#transaction = transaction;
    if (!owned) {
      this.#tracked = true;
      this.#writer.track(transaction, this, true);
    }
    await this.beforeDeletes(intent);
    this.#pivotOwners = intent.pivotOwners ?? new Map();
    if (this.#pivotOwners.size > 0) {
      // Right before MikroORM writes the pivot rows (after the flush's updates): the owners' locks then come in
      // the order the flush's own statements take them.
      this.#writer.awaitPivotWrites(transaction, async () => {
        for (const [pivot, owners] of this.#pivotOwners) {
          this.#pivotBefore.set(pivot, await readPivotRows(this.#em, transaction, pivot, owners, true));
        }
      });
    }
    if (this.#writer.plans.backstop) {
      await markRecorded(this.#em, transaction, true, this.context);
      this.#writer.setMarked(transaction, true);
    }
  }

  /**
   * Rows about to be deleted: locks them (in key order), writes their `D` rows and those of the rows the database
   * will delete or null with them. Part of `before()`; a flush calls it again right before MikroORM deletes the
   * rows of one entity (its deletes run last), so that its row locks come in the order its own statements take them.
   */
  async beforeDeletes(intent: BeforeStatements): Promise<void> {
    const deleting = await this.#lockRowsToDelete(intent);
    for (const { meta, changes } of deleting) {
      const plan = this.#writer.plans.bySource.get(meta.className);
      if (plan?.options.auditDeletes) {
        await this.#write(plan, changes);
      }
    }
    await this.#recordCascades(deleting, intent);
  }

  /** The write's statements ran: writes the rows they inserted or changed. Runs once; later calls do nothing. */
  async after(transaction: unknown, intent: AfterStatements): Promise<void> {
    if (this.#done) {
      return;
    }
    this.#done = true;
    const trx = this.#transaction ?? (transaction as object | undefined);
    if (!trx) {
      const first = intent.changed?.find(rows => rows.changes.length > 0 && this.#writer.plans.bySource.has(rows.meta.className));
      if (first) {
        throw AuditTrailError.outsideTransaction(first.meta.className);
      }
      return;
    }
    this.#transaction = trx;
    for (const rows of intent.changed ?? []) {
      const plan = this.#writer.plans.bySource.get(rows.meta.className);
      if (plan) {
        await this.#write(plan, worthRecording(plan, rows), intent.updatesMayBeGone === true);
      }
    }
    for (const [plan, keys] of this.#nulled) {
      await this.#write(plan, this.#keyed(keys, 'U'), true);
    }
    for (const [pivot, owners] of this.#pivotOwners) {
      const before = this.#pivotBefore.get(pivot);
      if (!before) {
        // MikroORM writes a flush's pivot rows through its driver's syncCollections(): it did not call it.
        throw AuditTrailError.pivotWritesUnseen(pivot.plan.sourceName);
      }
      const after = await readPivotRows(this.#em, trx, pivot, owners);
      const skip = this.#cascaded.get(pivot.plan) ?? new Set<string>();
      await writePivotChanges(this.#em, trx, pivot, before, after, skip, this.context, this.shared());
    }
    if (this.#writer.isMarked(trx)) {
      this.#writer.setMarked(trx, false);
      await markRecorded(this.#em, trx, false, this.context);
    }
  }

  /**
   * Runs `write` (the write's statement and its audit rows) in a savepoint of the caller's transaction: if any of
   * it fails, none of it stays applied, and the caller may catch the error and go on.
   */
  async inSavepoint<R>(transaction: object, write: () => Promise<R>): Promise<R> {
    const savepoint = buildSavepoint(this.#writer.plans.names, `mikro_orm_audit_trail_${++savepoints}`);
    await executeStatement(this.#em, transaction, savepoint.open, 'run');
    try {
      const result = await write();
      await executeStatement(this.#em, transaction, savepoint.release, 'run');
      return result;
    } catch (error) {
      await executeStatement(this.#em, transaction, savepoint.rollback, 'run').catch(() => undefined);
      await this.#writer.ending(this.#em, transaction).catch(() => undefined);
      throw error;
    }
  }

  /** Every audit row of the write was written: its transaction may commit. */
  finish(): void {
    if (this.#tracked && this.#transaction) {
      this.#writer.track(this.#transaction, this, false);
    }
  }

  /** The transaction id, reason and actor every audit row of this write shares. */
  shared(): StatementValues {
    return { transactionId: this.#writer.transactionIds.idOf(this.#transaction!), reason: this.context?.reason ?? null, user: this.context?.user };
  }

  /**
   * Writes the snapshots of `changes` of one audited entity: masked values read first, then one statement per
   * chunk. `skipGoneUpdates`: an update whose row no longer exists changed nothing and gets no version.
   */
  async #write(plan: AuditPlan, changes: readonly AuditedChange[], skipGoneUpdates = false): Promise<void> {
    if (changes.length === 0) {
      return;
    }
    const transaction = this.#transaction!;
    await new SnapshotWriter(this.#em, transaction, plan, this.shared(), this.context, skipGoneUpdates).write(changes);
  }

  // The rows about to be deleted that history or a database cascade into history depends on, locked and still
  // existing (see `lockRowsToDelete`).
  async #lockRowsToDelete(intent: BeforeStatements): Promise<{ meta: EntityMetadata; changes: KeyedChange[] }[]> {
    const plans = this.#writer.plans;
    const locked: { meta: EntityMetadata; changes: KeyedChange[] }[] = [];
    for (const { meta, changes } of intent.deleting ?? []) {
      const recorded = plans.bySource.get(meta.className)?.options.auditDeletes === true;
      if (changes.length > 0 && (recorded || plans.cascades.reachesAudited(meta.root.className, plans.bySource))) {
        locked.push({ meta, changes: await lockRowsToDelete(this.#em, this.#transaction!, plans.names, meta, changes) });
      }
    }
    return locked;
  }

  // Rows the database itself deletes or nulls because this write deletes the rows they reference (ON DELETE
  // CASCADE / SET NULL): no entity event tells of them, so they are found by key, locked, before the deletes run.
  async #recordCascades(deleting: readonly { meta: EntityMetadata; changes: KeyedChange[] }[], intent: BeforeStatements): Promise<void> {
    const plans = this.#writer.plans;
    const roots = deleting
      .filter(({ meta, changes }) => changes.length > 0 && plans.cascades.reachesAudited(meta.root.className, plans.bySource))
      .map(({ meta, changes }) => ({ meta, keys: changes.map(change => change.key) }));
    if (roots.length === 0) {
      return;
    }
    const found = await findCascadedRows(this.#em, this.#transaction!, plans, roots, intent.changesItself ?? (() => false));
    for (const [plan, keys] of found.deleted) {
      this.#cascaded.set(plan, new Set([...(this.#cascaded.get(plan) ?? []), ...keys.map(keyString)]));
      if (plan.options.auditDeletes) {
        await this.#write(plan, this.#keyed(keys, 'D'));
      }
    }
    for (const [plan, keys] of found.nulled) {
      this.#nulled.set(plan, [...(this.#nulled.get(plan) ?? []), ...keys]);
    }
  }

  // Rows known only by key: the snapshot writer gives track field callbacks a reference to each.
  #keyed(keys: readonly unknown[][], changeType: ChangeType): AuditedChange[] {
    return keys.map(key => ({ key: [...key], changeType }));
  }
}

// With `skipUnchanged`, an update whose changed properties are all outside history (excluded, version or
// `onUpdate` columns, collections) leaves no `U` row behind.
function worthRecording(plan: AuditPlan, rows: ChangedRows): readonly AuditedChange[] {
  if (!plan.options.skipUnchanged) {
    return rows.changes;
  }
  return rows.changes.filter(
    change => change.changeType !== 'U' || !change.changedProperties || change.changedProperties.some(name => plan.auditedProperties.has(name)),
  );
}
