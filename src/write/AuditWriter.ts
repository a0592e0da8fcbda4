import type { EntityManager, MetadataStorage } from '@mikro-orm/core';
import type { AuditContextData } from '../context/AuditContext.js';
import type { AuditPlans } from '../discover/AuditPlan.js';
import { ActorErrors, AuditTrailError } from '../errors/index.js';
import { actorValue } from './actorValue.js';
import { clearRecordedMark } from './backstopMarks.js';
import { TransactionIds } from './TransactionIds.js';
import { WriteSession, type SessionHost } from './WriteSession.js';

/**
 * The one writer of audit rows of an ORM. Every adapter (flush, native writes, query builders) describes what
 * MikroORM did as change intents; a `WriteSession` per write turns them into audit rows on the write's
 * transaction. The writer keeps what outlives one write: transaction ids, and writes that started in a
 * transaction they do not own and have not finished (committing that transaction would lose their history).
 */
export class AuditWriter implements SessionHost {
  readonly plans: AuditPlans;
  readonly transactionIds = new TransactionIds();
  readonly #unfinished = new WeakMap<object, Set<WriteSession>>();
  // Transactions in which the backstop triggers were told the library records the writes.
  readonly #marked = new WeakSet<object>();
  readonly #pivotReads = new WeakMap<object, () => Promise<void>>();
  #actorMissingReported = false;

  constructor(plans: AuditPlans) {
    this.plans = plans;
  }

  /**
   * Starts the audit of one write. When the write runs in a transaction it does not own and cannot roll back
   * alone (a flush inside `em.transactional()`: MikroORM runs no savepoint per flush), the transaction cannot
   * commit until the session finished: a write that failed half-way there left statements applied without their
   * audit rows. Native writes and query builders run in a savepoint of their own instead.
   */
  begin(em: EntityManager, context: AuditContextData | undefined): WriteSession {
    return new WriteSession(this, em, context);
  }

  /**
   * Called by every adapter once it knows that a write changes audited rows (`entity` names the first), before any
   * of its statements runs: a missing actor is refused or reported as `requireActor` says (an explicit
   * `user: null` is a change no user made, and passes), and an actor `_audit_actor` cannot hold fails the write.
   */
  checkActor(em: EntityManager, entity: string, context: AuditContextData | undefined): void {
    const { requireActor, actor } = this.plans;
    if (context?.user === undefined && requireActor === 'error') {
      throw ActorErrors.missing(entity);
    }
    if (context?.user === undefined && requireActor === 'warn' && !this.#actorMissingReported) {
      this.#actorMissingReported = true;
      em.getPlatform().getConfig().getLogger().warn('info', ActorErrors.missingWarning(entity), { enabled: true });
    }
    if (actor) {
      actorValue(actor, context?.user, entity);
    }
  }

  /** Called by a session whose transaction belongs to someone else, and again when it finished. */
  track(transaction: object, session: WriteSession, open: boolean): void {
    let sessions = this.#unfinished.get(transaction);
    if (!sessions) {
      sessions = new Set();
      this.#unfinished.set(transaction, sessions);
    }
    if (open) {
      sessions.add(session);
    } else {
      sessions.delete(session);
    }
  }

  /** A flush on `transaction` reads its pivot rows (`read`) right before MikroORM writes them (see `collectionSync.ts`). */
  awaitPivotWrites(transaction: object, read: () => Promise<void>): void {
    this.#pivotReads.set(transaction, read);
  }

  /** MikroORM is about to write the pivot rows of a flush on `transaction`. */
  async beforePivotWrites(transaction: unknown): Promise<void> {
    const read = isObject(transaction) ? this.#pivotReads.get(transaction) : undefined;
    if (read) {
      this.#pivotReads.delete(transaction as object);
      await read();
    }
  }

  /** Refuses to let `transaction` commit while a write in it has not finished its audit rows. */
  checkCommit(transaction: unknown): void {
    if (isObject(transaction) && (this.#unfinished.get(transaction)?.size ?? 0) > 0) {
      throw AuditTrailError.failedFlushInTransaction();
    }
  }

  /** Whether the backstop triggers of `transaction` were told that the library records its writes. */
  isMarked(transaction: object): boolean {
    return this.#marked.has(transaction);
  }

  setMarked(transaction: object, marked: boolean): void {
    if (marked) {
      this.#marked.add(transaction);
    } else {
      this.#marked.delete(transaction);
    }
  }

  /** Before `transaction` commits or rolls back: the backstop mark must not outlive it (a MySQL session variable would). */
  async ending(em: EntityManager, transaction: unknown): Promise<void> {
    if (isObject(transaction) && this.#marked.has(transaction)) {
      this.#marked.delete(transaction);
      await clearRecordedMark(em, transaction);
    }
  }
}

const writers = new WeakMap<MetadataStorage, AuditWriter>();

/** Registers the writer of the ORM whose metadata this is, once discovery built its plans. */
export function registerAuditWriter(metadata: MetadataStorage, writer: AuditWriter): void {
  writers.set(metadata, writer);
}

/** The writer of the ORM `em` belongs to; `undefined` when it was not set up with `withAuditTrail`. */
export function auditWriterOf(em: EntityManager): AuditWriter | undefined {
  return writers.get(em.getMetadata());
}

function isObject(value: unknown): value is object {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}
