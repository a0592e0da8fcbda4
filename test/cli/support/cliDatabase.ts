import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { allowAuditTableWrites, auditContext, withAuditTrail } from '../../../src/index.js';
import type { TestDatabase } from '../../support/databases.js';
import { refreshSchema } from '../../support/mikro.js';
import { Membership, Person } from './entities.js';
import { seedHistory, type SeededHistory } from './seed.js';

/** A database with the seeded history, and the `CLI_DB_CONFIG` the consumer projects' configs connect with. */
export interface CliDatabase {
  readonly db: TestDatabase;
  readonly env: { readonly CLI_DB_CONFIG: string };
  readonly seeded: SeededHistory;
  /** Runs a statement on it, as a database administrator would (audit tables included). */
  sql(statement: string): Promise<void>;
}

/**
 * Creates the tables of test/cli/support/entities.ts in a database of its own (a file for SQLite, which the bin
 * opens too), writes the seeded history with this repository's library (and `memberships` more Membership rows
 * inserted by 'loader'), and says how the bin connects to it.
 */
export async function cliDatabase(db: TestDatabase, dbName: string, memberships = 0): Promise<CliDatabase> {
  const name = db.name === 'sqlite' ? join(mkdtempSync(join(tmpdir(), 'audit-cli-db-')), `${dbName}.sqlite`) : dbName;
  // The suite's SQLite config is an in-memory database whatever the name: here it is a file both processes open.
  const config = { ...db.config(name), dbName: name };
  const connection = Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'driver'));
  const open = () => MikroORM.init(withAuditTrail({ ...config, entities: [Person, Membership], allowGlobalContext: true } as Options));
  const orm = await open();
  let seeded: SeededHistory;
  try {
    await refreshSchema(orm);
    seeded = await seedHistory(orm);
    if (memberships > 0) {
      const rows = Array.from({ length: memberships }, (_, i) => ({ team: 2, person: i + 1, role: `member ${i}` }));
      await auditContext.run({ user: 'loader' }, () => orm.em.fork().insertMany(Membership, rows));
    }
  } finally {
    await orm.close(true);
  }
  return {
    db,
    env: { CLI_DB_CONFIG: JSON.stringify({ ...connection, driver: db.name, dbName: name }) },
    seeded,
    sql: async statement => {
      const admin = await open();
      try {
        await allowAuditTableWrites(() => admin.em.getConnection().execute(statement));
      } finally {
        await admin.close(true);
      }
    },
  };
}
