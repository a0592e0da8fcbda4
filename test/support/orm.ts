import { MikroORM, type Options } from '@mikro-orm/core';
import { withAuditTrail, type AuditTrailModuleOptions } from '../../src/index.js';
import type { TestDatabase } from './databases.js';
import { refreshSchema } from './mikro.js';

export interface TestOrm {
  readonly orm: MikroORM;
  /** Every SQL statement the ORM sent since the last `reset()`. */
  readonly queries: string[];
  /** Statements that write to the given table. */
  writesTo(table: string): string[];
  reset(): void;
}

/** Initialises an audited ORM on `db` with a fresh schema and a logger that captures every statement. */
export async function createTestOrm(
  db: TestDatabase,
  dbName: string,
  config: Partial<Options>,
  moduleOptions?: AuditTrailModuleOptions,
): Promise<TestOrm> {
  const queries: string[] = [];
  const orm = await MikroORM.init(
    withAuditTrail(
      {
        ...db.config(dbName),
        ...config,
        debug: ['query'],
        colors: false,
        logger: (message: string) => queries.push(message),
        allowGlobalContext: true,
      } as Options,
      moduleOptions,
    ),
  );
  await refreshSchema(orm);
  queries.length = 0;
  return {
    orm,
    queries,
    writesTo: table =>
      queries.filter(q => new RegExp(`(insert into|update|delete from) [\`"]${table}[\`"]`, 'i').test(q)),
    reset: () => {
      queries.length = 0;
    },
  };
}
