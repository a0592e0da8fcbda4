import {
  ChangeSetType,
  type EntityManager,
  type EntityName,
  type EventArgs,
  type EventSubscriber,
  type FlushEventArgs,
  type MetadataStorage,
  type TransactionEventArgs,
  type UnitOfWork,
} from '@mikro-orm/core';
import { auditContext } from './AuditContext.js';
import type { ChangeType } from './AuditColumns.js';
import type { AuditDiscovery } from './AuditDiscovery.js';
import type { AuditPlan, AuditPlans } from './AuditPlan.js';
import { AuditTrailError } from './errors.js';
import { FlushAudit, type AuditedChange } from './FlushAudit.js';
import { writeSnapshots } from './writeSnapshots.js';

const CHANGE_TYPES: Readonly<Record<string, ChangeType | undefined>> = {
  [ChangeSetType.CREATE]: 'I',
  [ChangeSetType.UPDATE]: 'U',
  [ChangeSetType.UPDATE_EARLY]: 'U',
};
const OPERATIONS: Readonly<Record<string, string>> = {
  [ChangeSetType.CREATE]: 'created',
  [ChangeSetType.UPDATE]: 'changed',
  [ChangeSetType.UPDATE_EARLY]: 'changed',
  [ChangeSetType.DELETE]: 'removed',
  [ChangeSetType.DELETE_EARLY]: 'removed',
};

/**
 * Routes MikroORM's flush events to the audit trail. Every audit row is written on the flush's transaction:
 * deletes are copied just before the DELETE statement of their class; inserts and updates are copied once the
 * flush's statements ran, before the commit (or, inside an outer transaction, before the flush returns).
 * Registered by `withAuditTrail()`.
 */
export class AuditTrailSubscriber implements EventSubscriber {
  readonly #discovery: AuditDiscovery;
  readonly #subscribed: EntityName<object>[];
  // Keyed by the flushing EntityManager (each fork has its own unit of work); a failed flush leaves its entry
  // to be replaced by the next `onFlush`, and the WeakMap lets abandoned forks go.
  readonly #flushes = new WeakMap<EntityManager, FlushAudit>();

  constructor(discovery: AuditDiscovery, subscribedEntities: EntityName<object>[] = []) {
    this.#discovery = discovery;
    this.#subscribed = subscribedEntities;
  }

  /** The audit plans of the ORM that owns `metadata`, once `MikroORM.init` discovered it. */
  plansFor(metadata: MetadataStorage): AuditPlans | undefined {
    return this.#discovery.plansFor(metadata);
  }

  getSubscribedEntities(): EntityName<object>[] {
    return this.#subscribed;
  }

  onFlush({ em, uow }: FlushEventArgs): void {
    const plans = this.plansFor(em.getMetadata());
    for (const changeSet of uow.getChangeSets()) {
      if (plans?.auditEntities.has(changeSet.meta.className)) {
        throw AuditTrailError.readOnly(changeSet.meta.className, OPERATIONS[changeSet.type] ?? 'changed');
      }
    }
    this.#flushes.set(em, new FlushAudit(auditContext.current()));
  }

  // MikroORM runs every `beforeDelete` of a class and then one DELETE for all of them, so the first event of a
  // class copies all rows of its batch, while they still exist, in one statement.
  async beforeDelete({ em, meta, entity, changeSet }: EventArgs<object>): Promise<void> {
    const plan = this.#plan(em, meta.className);
    if (!plan?.options.auditDeletes) {
      return;
    }
    const flush = this.#flush(em);
    if (flush.isDeleteSnapshotted(plan, entity)) {
      return;
    }
    const type = changeSet?.type ?? ChangeSetType.DELETE;
    const batch = new Set([entity]);
    for (const cs of em.getUnitOfWork(false).getChangeSets()) {
      if (cs.type === type && cs.meta.className === meta.className) {
        batch.add(cs.entity);
      }
    }
    const rows = await flush.rows(plan, flush.takeDeletes(plan, batch), em);
    await writeSnapshots(em, em.getTransactionContext(), plan, flush.timestamp, rows);
  }

  async beforeTransactionCommit({ em, uow, transaction }: TransactionEventArgs): Promise<void> {
    if (uow) {
      await this.#writeChanges(em, uow, transaction);
    }
  }

  async afterFlush({ em, uow }: FlushEventArgs): Promise<void> {
    // Reached with changes still unwritten only when the flush ran inside an outer transaction
    // (em.transactional, em.begin): that transaction is still open here. A flush-owned transaction was
    // handled by beforeTransactionCommit.
    await this.#writeChanges(em, uow, em.getTransactionContext());
    this.#flushes.delete(em);
  }

  // Inserts and updates are read from the unit of work once its statements ran (entities now carry their
  // generated keys), instead of from one event per entity: a flush pays one loop, not one hook per row.
  async #writeChanges(em: EntityManager, uow: UnitOfWork, transaction: unknown): Promise<void> {
    const flush = this.#flushes.get(em);
    if (!flush || flush.written) {
      return;
    }
    flush.written = true;
    const plans = this.plansFor(em.getMetadata());
    const changes = new Map<AuditPlan, AuditedChange[]>();
    for (const changeSet of uow.getChangeSets()) {
      const changeType = CHANGE_TYPES[changeSet.type];
      const plan = changeType && plans?.bySource.get(changeSet.meta.className);
      if (plan) {
        let list = changes.get(plan);
        if (!list) {
          list = [];
          changes.set(plan, list);
        }
        list.push({ entity: changeSet.entity, changeType });
      }
    }
    for (const [plan, list] of changes) {
      await writeSnapshots(em, transaction, plan, flush.timestamp, await flush.rows(plan, list, em));
    }
  }

  #plan(em: EntityManager, entityName: string): AuditPlan | undefined {
    return this.plansFor(em.getMetadata())?.bySource.get(entityName);
  }

  #flush(em: EntityManager): FlushAudit {
    let flush = this.#flushes.get(em);
    if (!flush) {
      flush = new FlushAudit(auditContext.current());
      this.#flushes.set(em, flush);
    }
    return flush;
  }
}
