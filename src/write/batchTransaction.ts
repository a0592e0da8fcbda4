import { DeadlockException, IsolationLevel, LockWaitTimeoutException, type EntityManager } from '@mikro-orm/core';
import type { AuditPlan } from '../discover/AuditPlan.js';

// A batch the database chose as a deadlock's victim (or that waited too long for an application's row lock) is
// rolled back whole: it is run again, a few times, before the error is the caller's.
const ATTEMPTS = 5;

/**
 * Runs one batch of a long operation (`backfillAudit()`, `pruneAudit()`) in a transaction of its own, committed
 * when `work` returns: an interrupted run keeps every batch before the interruption and none of the one under way.
 * Inside the caller's transaction, when `em` has one, the batch is a savepoint of it (and commits with it).
 * READ COMMITTED on PostgreSQL and MySQL/MariaDB: each statement sees what committed before it, so a look under
 * row locks sees what the application committed while the batch waited for them (MySQL/MariaDB's REPEATABLE READ
 * would keep showing the transaction's first snapshot).
 */
export async function inBatchTransaction<R>(em: EntityManager, plan: AuditPlan, work: (trx: EntityManager) => Promise<R>): Promise<R> {
  if (em.getTransactionContext()) {
    return await em.transactional(work);
  }
  const options = plan.shape.dialect === 'sqlite' ? {} : { isolationLevel: IsolationLevel.READ_COMMITTED };
  for (let attempt = 1; ; attempt++) {
    try {
      // A fork: entities a batch loads do not pile up in the caller's identity map.
      return await em.fork().transactional(work, options);
    } catch (error) {
      if (attempt >= ATTEMPTS || !(error instanceof DeadlockException || error instanceof LockWaitTimeoutException)) {
        throw error;
      }
    }
  }
}
