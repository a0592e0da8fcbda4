// The option itself: checked at startup, on per module and per entity, the column in the schema and migrations only
// where it is on, and no extra statement where it is off.
import { describe, expect, it } from 'vitest';
import { MikroORM, type Options } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { AuditTrail, auditOf, withAuditTrail, type AuditRow, type AuditTrailOptions } from '../../src/index.js';
import { dbNameFor } from '../support/databases.js';
import { Entity, PrimaryKey, Property, createSchemaSql } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';
import { createTestOrm } from '../support/orm.js';

@Entity()
@AuditTrail()
class Plain {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
@AuditTrail({ tamperEvidence: true })
class Sealed {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

const SealedAudit = auditOf(Sealed);

// Entities of their own for ORMs other than the suite's.
function audited(name: string, options?: AuditTrailOptions) {
  const cls = { [name]: class {} }[name]!;
  PrimaryKey({ type: 'number' })(cls.prototype, 'id');
  Property({ type: 'string' })(cls.prototype, 'name');
  Entity()(cls);
  AuditTrail(options)(cls);
  return cls;
}

describe('the tamperEvidence option', () => {
  it('refuses a value that is not a boolean, naming the option', () => {
    expect(() => withAuditTrail({}, { tamperEvidence: 'yes' as never })).toThrow(/^withAuditTrail\(\) option 'tamperEvidence' must be a boolean, got/);
  });

  it('refuses a per-entity value that is not a boolean when the ORM starts', async () => {
    const cls = audited('Odd', { tamperEvidence: 1 as never });
    await expect(MikroORM.init(withAuditTrail({ driver: SqliteDriver, dbName: ':memory:', entities: [cls] } as Options))).rejects.toThrow(
      /@AuditTrail option 'tamperEvidence' of Odd must be a boolean, got/,
    );
  });

  it('adds a nullable varchar(64) _audit_hash to the audit tables where it is on, only there', async () => {
    const [off, on] = [audited('Off'), audited('On', { tamperEvidence: true })];
    const orm = await MikroORM.init(withAuditTrail({ driver: SqliteDriver, dbName: ':memory:', entities: [off, on] } as Options));
    try {
      const hash = orm.getMetadata().get('OnAudit').properties._audit_hash!;
      expect([hash.type, hash.length, hash.nullable]).toEqual(['string', 64, true]);
      expect(orm.getMetadata().get('OffAudit').properties).not.toHaveProperty('_audit_hash');
      const ddl = await createSchemaSql(orm);
      expect(ddl).toMatch(/create table `on_audit` \([^;]*`_audit_hash` (varchar\(64\)|text) null/);
      expect(ddl).not.toMatch(/create table `off_audit` \([^;]*_audit_hash/);
    } finally {
      await orm.close(true);
    }
  });

  it('types _audit_hash on audit rows', () => {
    const row = {} as AuditRow<Sealed>;
    const hash: string | null | undefined = row._audit_hash;
    expect(hash).toBeUndefined();
  });
});

describeOnEachDatabase('tamper evidence statements', { file: import.meta.url, config: { entities: [Plain, Sealed] } }, ctx => {
  // The same change to an entity with and without tamper evidence, statement by statement.
  async function statementsOf(entity: typeof Plain | typeof Sealed): Promise<string[]> {
    ctx.t.reset();
    const em = ctx.t.orm.em.fork();
    [1, 2, 3].forEach(id => em.create(entity, { id: id + (entity === Sealed ? 100 : 0), name: `n${id}` }));
    await em.flush();
    // Colours are MikroORM-wide: an ORM started without `colors: false` turns them on for the suite's logger too.
    return ctx.t.queries.map(query => query.replace(/\u001b\[[0-9;]*m/g, '').replace(/ \[took .*$/, '').replace(/sealed/g, 'plain').replace(/\b10([123])\b/g, '$1'));
  }

  it('without it: no _audit_hash and no pre-read; with it: one pre-read right before the audit INSERT', async () => {
    const plain = await statementsOf(Plain);
    const sealed = await statementsOf(Sealed);
    expect(plain.some(query => query.includes('_audit_hash'))).toBe(false);
    const reads = plain.filter(query => /^\[query\] (select|insert)/.test(query)).map(query => query.slice(8));
    expect(reads).toEqual([
      expect.stringMatching(/^insert into .plain. /),
      expect.stringMatching(/^insert into .plain_audit. /),
    ]);
    const audit = sealed.findIndex(query => /insert into .plain_audit./.test(query));
    expect(sealed[audit - 1]).toMatch(/^\[query\] select .*_audit_hash.* (from|straight_join) .plain. as s /);
    expect(sealed[audit]).toContain('_audit_hash');
    expect(sealed.filter((_, i) => i !== audit - 1).length).toBe(plain.length);
    expect((await ctx.t.orm.em.fork().find(SealedAudit, {})).every(row => /^[0-9a-f]{64}$/.test(row._audit_hash!))).toBe(true);
  });
});

describe('turning tamper evidence on for an existing audit table', () => {
  it('makes the schema diff add the column (on SQLite, MikroORM alters varchar columns as text)', async () => {
    const dbName = `/tmp/${dbNameFor(import.meta.url)}.sqlite`;
    const later = audited('Later');
    const before = await createTestOrm({ name: 'sqlite', available: true, address: '', config: () => ({ driver: SqliteDriver, dbName }) }, dbName, { entities: [later] });
    await before.orm.close(true);
    const after = await MikroORM.init(withAuditTrail({ driver: SqliteDriver, dbName, entities: [later] } as Options, { tamperEvidence: true, schemaCheck: 'off' }));
    try {
      const diff = await (after.schema as unknown as { getUpdateSchemaSQL(o: object): Promise<string> }).getUpdateSchemaSQL({ wrap: false });
      expect(diff).toMatch(/alter table `later_audit` add column `_audit_hash` (varchar\(64\)|text) null/);
    } finally {
      await after.close(true);
    }
  });
});
