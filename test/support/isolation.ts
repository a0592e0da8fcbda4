import { IsolationLevel } from '@mikro-orm/core';
import type { TestDatabase } from './databases.js';

/** The database's default isolation level first, then the other one applications use on it. */
export function isolationLevelsOf(db: TestDatabase): IsolationLevel[] {
  return db.name === 'postgresql' ? [IsolationLevel.READ_COMMITTED, IsolationLevel.REPEATABLE_READ] : [IsolationLevel.REPEATABLE_READ, IsolationLevel.READ_COMMITTED];
}
