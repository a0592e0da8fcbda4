import { expect, it } from 'vitest';
import { AUDIT_SQL_MARKER, AuditWriteGuard, allowAuditTableWrites } from '../../src/write/AuditWriteGuard.js';

const guard = new AuditWriteGuard(true);
guard.protect('person_audit', 'PersonAudit');
guard.protect('billing.invoice_audit', 'InvoiceAudit');

it.each([
  'update "person_audit" set "name" = $1',
  'UPDATE `person_audit` SET name = ?',
  'delete from "public"."person_audit" where "id" = 1',
  'insert into `person_audit` (`id`) values (1)',
  'insert ignore into person_audit (id) values (1)',
  'truncate table "person_audit"',
  'with x as (select 1) delete from person_audit',
  'update "billing"."invoice_audit" set total = 0',
])('rejects %s', sql => {
  expect(() => guard.check(sql)).toThrow(/audit/);
});

it.each([
  'select * from "person_audit"',
  'update "person" set "name" = $1',
  'insert into "person_audit_archive" (id) values (1)',
  'drop table if exists "person_audit"',
  'alter table "person_audit" add column "x" int',
  `insert into "person_audit" ("id") select s."id" from "person" as s ${AUDIT_SQL_MARKER}`,
])('lets %s through', sql => {
  expect(() => guard.check(sql)).not.toThrow();
});

it('lets writes through inside allowAuditTableWrites only', () => {
  expect(allowAuditTableWrites(() => guard.check('delete from person_audit'))).toBeUndefined();
  expect(() => guard.check('delete from person_audit')).toThrow(/PersonAudit rows \(table person_audit\)/);
});
