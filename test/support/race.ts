import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager, IsolationLevel } from '@mikro-orm/core';

/** How the waiting write of a race ended: committed, or failed with the database's error. */
export type RaceOutcome = { committed: true } | { committed: false; error: unknown };

/**
 * Two connections: `holder` runs in a transaction of its own and keeps it open (holding its row locks) while
 * `waiter` starts in another transaction and blocks on them; then the holder commits and the waiter finishes.
 */
export async function race(
  fork: () => EntityManager,
  isolationLevel: IsolationLevel,
  holder: (em: EntityManager) => Promise<void>,
  waiter: (em: EntityManager) => Promise<void>,
  { waiterTransaction = true }: { waiterTransaction?: boolean } = {},
): Promise<RaceOutcome> {
  const a = fork();
  await a.begin({ isolationLevel });
  await holder(a);
  const b = fork();
  // Without `waiterTransaction` the waiter runs as an application calls a single write: in no transaction.
  const pending = (waiterTransaction ? b.transactional(waiter, { isolationLevel }) : waiter(b))
    .then(
      (): RaceOutcome => ({ committed: true }),
      (error: unknown): RaceOutcome => ({ committed: false, error }),
    );
  await sleep(300);
  await a.commit();
  return pending;
}

/** PostgreSQL's REPEATABLE READ refuses a write to a row another transaction changed since its snapshot. */
export function isSerializationFailure(outcome: RaceOutcome): boolean {
  return !outcome.committed && /could not serialize access/.test(String(outcome.error));
}
