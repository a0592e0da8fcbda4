import { afterAll, beforeAll, describe } from 'vitest';
import type { Options } from '@mikro-orm/core';
import type { AuditTrailModuleOptions } from '../../src/index.js';
import { DATABASES, dbNameFor, type TestDatabase } from './databases.js';
import { createTestOrm, type TestOrm } from './orm.js';

export interface SuiteContext {
  readonly db: TestDatabase;
  /** The audited ORM of this database, created before the suite's tests run. */
  readonly t: TestOrm;
}

export interface SuiteOptions {
  /** `import.meta.url` of the test file: it names the file's own database. */
  readonly file: string;
  readonly config: Partial<Options>;
  readonly moduleOptions?: AuditTrailModuleOptions;
  /** Defaults to every database. */
  readonly databases?: readonly TestDatabase[];
}

/**
 * Declares `body` once per database, each with its own audited ORM and a fresh schema. An unreachable server's
 * suite is skipped, which the global setup announces (and turns into a failure with AUDIT_REQUIRE_DATABASES=1).
 */
export function describeOnEachDatabase(title: string, options: SuiteOptions, body: (ctx: SuiteContext) => void): void {
  for (const db of options.databases ?? DATABASES) {
    describe.skipIf(!db.available)(`${title} on ${db.name}`, () => {
      let t: TestOrm | undefined;
      beforeAll(async () => {
        t = await createTestOrm(db, dbNameFor(options.file), options.config, options.moduleOptions);
      });
      afterAll(async () => {
        await t?.orm.close(true);
      });
      body({
        db,
        get t() {
          if (!t) {
            throw new Error('the ORM is created in beforeAll');
          }
          return t;
        },
      });
    });
  }
}

/** The databases that enforce column lengths (SQLite does not). */
export const SERVER_DATABASES = DATABASES.filter(db => db.name !== 'sqlite');
