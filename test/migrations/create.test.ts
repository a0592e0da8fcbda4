import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroORM, type Options, type Ref } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { AuditTrail, auditContext, auditOf, withAuditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { Entity, ManyToOne, PrimaryKey, Property, createMigration, dropSchema } from '../support/mikro.js';

// Unaudited, with a nullable varchar: the witness for what MikroORM's own diff does with such a column.
@Entity()
class Department {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', nullable: true }) label?: string;
}

@Entity()
@AuditTrail({ trackFields: [{ name: 'username', type: 'string', length: 30, value: () => auditContext.current()?.user ?? null }] })
class Staff {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', unique: true }) email!: string;
  @ManyToOne(() => Department, { ref: true }) department!: Ref<Department>;
}

// The real migrator creates and applies the audit table like any other, and has nothing left to do afterwards.
describe.each(DATABASES.filter(db => db.available))('migrations on $name', db => {
  let orm: MikroORM;
  let folder: string;

  beforeAll(async () => {
    // Inside the project, so that the generated migration resolves @mikro-orm/migrations.
    const root = fileURLToPath(new URL('../../.migrations-tmp/', import.meta.url));
    mkdirSync(root, { recursive: true });
    folder = mkdtempSync(join(root, `${db.name}-`));
    const dbName = db.name === 'sqlite' ? join(folder, 'app.db') : dbNameFor(import.meta.url);
    orm = await MikroORM.init(
      withAuditTrail({
        ...db.config(dbName),
        entities: [Department, Staff],
        extensions: [Migrator],
        migrations: { path: folder, snapshot: false, emit: 'cjs' },
      } as Options),
    );
    await dropSchema(orm);
  });
  afterAll(async () => {
    await orm?.close(true);
    rmSync(folder, { recursive: true, force: true });
  });

  it('creates the audit table in a migration, applies it, and then finds no difference', async () => {
    const first = await createMigration(orm);
    const auditDdl = first.diff.up.filter(statement => statement.includes('staff_audit')).join('\n');
    expect(auditDdl).toMatch(/create table [`"]staff_audit[`"]/);
    expect(auditDdl).not.toMatch(/foreign key|unique/i);
    expect(readFileSync(join(folder, first.fileName), 'utf8')).toContain('staff_audit');

    await orm.migrator.up();
    const second = await createMigration(orm);
    const remaining = second.diff.up.filter(statement => statement.trim() !== '');
    if (db.name === 'mariadb') {
      // MikroORM's mysql driver re-emits `modify` for every nullable varchar of an ordinary table on MariaDB: the
      // unaudited table gets it; the audit table, whose columns are all nullable, must not.
      expect(remaining.some(statement => statement.includes('`department`'))).toBe(true);
      expect(remaining.some(statement => statement.includes('staff_audit'))).toBe(false);
      for (const statement of remaining) {
        expect(statement).toMatch(/^alter table `\w+` modify `\w+` varchar\(\d+\)( null)?(, modify `\w+` varchar\(\d+\)( null)?)*;$/);
      }
    } else {
      expect(remaining).toEqual([]);
    }

    const em = orm.em.fork();
    const department = em.create(Department, {});
    em.create(Staff, { email: 'a@example.com', department });
    await auditContext.run({ user: 'migrated' }, () => em.flush());
    const [row] = await orm.em.fork().find(auditOf(Staff), {});
    expect(row).toMatchObject({ email: 'a@example.com', _audit_change_type: 'I' });
  });
});
