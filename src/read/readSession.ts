import type { EntityManager } from '@mikro-orm/core';
import { dialectOf } from '../mikro-orm/dialectOf.js';

// The session's SQL mode, kept on the server while the request reads: no value of it passes through the client.
const SAVE_MODE = 'set @mikro_orm_audit_trail_sql_mode = @@session.sql_mode';
const BACKSLASHES_ON = "set session sql_mode = replace(@@session.sql_mode, 'NO_BACKSLASH_ESCAPES', '')";
const RESTORE_MODE = 'set session sql_mode = @mikro_orm_audit_trail_sql_mode';

interface StatementRunner {
  execute(sql: string): Promise<unknown>;
}

/**
 * Runs one request's reads. MikroORM formats the values of a MySQL/MariaDB query into its text on the client, with
 * backslash escapes (MikroORM 6 through mysql2), which a session with `NO_BACKSLASH_ESCAPES` reads differently: a
 * quote in a filter value would end the string and the rest run as SQL. On MySQL/MariaDB the request's reads
 * therefore run in one read-only transaction whose session has that mode off, and is given its own mode back after;
 * none of those statements carries a value. Elsewhere values are bound on the server, and the reads run as they are.
 */
export async function withReadSession<T>(em: EntityManager, read: (em: EntityManager) => Promise<T>): Promise<T> {
  if (dialectOf(em.getPlatform()) !== 'mysql') {
    return read(em);
  }
  return em.transactional(
    async tx => {
      const runner = tx as unknown as StatementRunner;
      await runner.execute(SAVE_MODE);
      await runner.execute(BACKSLASHES_ON);
      try {
        return await read(tx);
      } finally {
        await runner.execute(RESTORE_MODE);
      }
    },
    { readOnly: true },
  );
}
