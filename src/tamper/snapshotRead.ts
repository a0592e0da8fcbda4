import { IsolationLevel, type EntityManager } from '@mikro-orm/core';
import { dialectOf } from '../mikro-orm/dialectOf.js';

/**
 * Runs `work` in one transaction that reads one snapshot of the database (REPEATABLE READ on PostgreSQL and
 * MySQL/MariaDB; an SQLite transaction reads one state of the file). Verify and seal read audit rows and prune
 * records by separate statements, merged by `_audit_id`: read on pooled connections, a prune batch committing
 * between two pages removed rows that neither stream then saw, and a seal left them out for good.
 */
export function inSnapshot<T>(em: EntityManager, work: (em: EntityManager) => Promise<T>): Promise<T> {
  const sqlite = dialectOf(em.getPlatform()) === 'sqlite';
  return em.fork().transactional(work, sqlite ? {} : { isolationLevel: IsolationLevel.REPEATABLE_READ });
}

/** The transaction `em` runs in (`inSnapshot`'s), `undefined` outside one. */
export function transactionOf(em: EntityManager): object | undefined {
  return em.getTransactionContext<object>();
}
