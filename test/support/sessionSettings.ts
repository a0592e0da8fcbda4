// Server settings applied to every pooled connection of a test ORM, the way an application's database or
// connection pool would have them: MikroORM 6 through knex's pool `afterCreate`, MikroORM 7 through
// `onCreateConnection` (a kysely connection).
import type { Options } from '@mikro-orm/core';
import { ormMajor } from './mikro.js';

type Callback = (error: unknown, connection?: unknown) => void;
interface RawConnection {
  query(sql: string, callback: (error: unknown) => void): void;
}
interface KyselyConnection {
  executeQuery(query: object): Promise<unknown>;
}

/** Config entries that run `statements` on each new connection before MikroORM uses it. */
export function sessionSettings(statements: readonly string[]): Partial<Options> {
  if (statements.length === 0) {
    return {};
  }
  if (ormMajor >= 7) {
    return {
      onCreateConnection: async (connection: unknown) => {
        for (const sql of statements) {
          await (connection as KyselyConnection).executeQuery({ sql, parameters: [], query: { kind: 'RawNode', sqlFragments: [sql], parameters: [] }, queryId: { queryId: 'settings' } });
        }
      },
    } as Partial<Options>;
  }
  return {
    pool: {
      afterCreate: (connection: RawConnection, done: Callback) => {
        const next = (i: number): void => {
          if (i === statements.length) {
            done(null, connection);
            return;
          }
          connection.query(statements[i]!, error => (error ? done(error, connection) : next(i + 1)));
        };
        next(0);
      },
    },
  } as Partial<Options>;
}
