import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntitySchema, type EntitySchemaMetadata } from '@mikro-orm/core';
import { allowAuditTableWrites, auditOf, auditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { migrationProject, type MigrationProject } from '../support/migrationProject.js';

type Row = Record<string, unknown>;

function invoice(properties: EntitySchemaMetadata<Row>['properties']): EntitySchema<Row> {
  return auditTrail(new EntitySchema<Row>({ name: 'Invoice', tableName: 'invoice', properties }), { tableName: 'invoice_history' });
}

// A schema other than the default one (PostgreSQL): the audit table lives next to its source table.
function payment(name: string, properties: EntitySchemaMetadata<Row>['properties']): EntitySchema<Row> {
  return auditTrail(new EntitySchema<Row>({ name, tableName: 'payment', schema: 'billing', properties }));
}
const PaymentV1 = payment('PaymentV1', {
  id: { type: 'number', primary: true },
  amount: { type: 'decimal', precision: 10, scale: 2 },
  note: { type: 'string', length: 200 },
});
const PaymentV2 = payment('PaymentV2', {
  id: { type: 'number', primary: true },
  amount: { type: 'decimal', precision: 10, scale: 2 },
});

describe.each(DATABASES.filter(db => db.available))('audit table names with the migrator on $name', db => {
  let project: MigrationProject;

  beforeAll(() => {
    project = migrationProject(db, dbNameFor(import.meta.url));
  });
  afterAll(async () => {
    await project?.close();
  });

  it('creates the audit table under its custom tableName, and writes history there', async () => {
    const Invoice = invoice({ id: { type: 'number', primary: true }, total: { type: 'number' } });
    const orm = await project.open([Invoice]);
    const statements = (await project.migrate()).join('\n');
    expect(statements).toMatch(/create table [`"]invoice_history[`"]/);
    expect(statements).not.toMatch(/invoice_audit/);
    const em = orm.em.fork();
    em.create(Invoice, { id: 1, total: 100 });
    await em.flush();
    const rows = await orm.em.getConnection().execute('select id, total, _audit_change_type from invoice_history');
    expect(rows).toEqual([{ id: 1, total: 100, _audit_change_type: 'I' }]);
  });
});

// Schemas other than the default one are a PostgreSQL feature (a MySQL schema is a database).
for (const db of DATABASES.filter(candidate => candidate.name === 'postgresql' && candidate.available)) {
  describe('audit tables in a non-default schema with the migrator on postgresql', () => {
    let project: MigrationProject;

    beforeAll(() => {
      project = migrationProject(db, `${dbNameFor(import.meta.url)}_schema`);
    });
    afterAll(async () => {
      await project?.close();
    });

    it('creates the audit table in the source table’s schema, and keeps a removed column there', async () => {
      let orm = await project.open([PaymentV1]);
      await allowAuditTableWrites(() => orm.schema.execute('drop schema if exists billing cascade'));
      orm = await project.open([PaymentV1]);
      const statements = (await project.migrate()).join('\n');
      expect(statements).toMatch(/create table "billing"\."payment_audit"/);
      const em = orm.em.fork();
      em.create(PaymentV1, { id: 1, amount: '12.50', note: 'first' });
      await em.flush();

      orm = await project.open([PaymentV2]);
      const removal = (await project.migrate()).join('\n');
      expect(removal).toMatch(/alter table "billing"\."payment" drop column "note"/);
      expect(removal).not.toMatch(/payment_audit/);
      const later = orm.em.fork();
      later.create(PaymentV2, { id: 2, amount: '3.00' });
      await later.flush();
      const rows = await orm.em.fork().find(auditOf(PaymentV2) as EntitySchema<Row>, {}, { orderBy: { _audit_id: 'asc' } });
      expect(rows.map(row => [row.id, row.amount, row.note])).toEqual([
        [1, '12.50', 'first'],
        [2, '3.00', null],
      ]);
    });
  });
}
