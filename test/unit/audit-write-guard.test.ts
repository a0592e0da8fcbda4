import { describe, expect, it } from 'vitest';
import { AuditWriteGuard, allowAuditTableWrites, allowUnauditedWrites } from '../../src/write/AuditWriteGuard.js';
import { AuditTrailError } from '../../src/index.js';

const guards = (['postgresql', 'mysql', 'sqlite'] as const).map(dialect => {
  const guard = new AuditWriteGuard(true);
  guard.protect('person_audit', 'PersonAudit', dialect, column => column === 'age');
  guard.protect('billing.invoice_audit', 'InvoiceAudit', dialect);
  guard.protectSource('person', 'Person');
  return [dialect, guard] as const;
});

describe.each(guards)('the write guard on %s', (_dialect, guard) => {
  it.each([
    'update "person_audit" set "name" = $1',
    'UPDATE `person_audit` SET name = ?',
    'delete from "public"."person_audit" where "id" = 1',
    'insert into `person_audit` (`id`) values (1)',
    'insert ignore into person_audit (id) values (1)',
    'insert person_audit (id) values (1)',
    'truncate table "person_audit"',
    'with x as (select 1) delete from person_audit',
    // What the library's statements used to end with: no comment makes a statement the library's own.
    'delete from person_audit /* mikro-orm-audit-trail */',
    'delete/**/from person_audit',
    'delete low_priority from person_audit',
    'delete quick ignore from person_audit where 1 = 1',
    'DELETE\nFROM\tperson_audit',
    'delete from PERSON_AUDIT',
    'delete from "Person_Audit"',
    'delete from U&"person\\005faudit"',
    'delete from U&"\\+000070erson_audit"',
    'drop table person_audit',
    'drop table if exists "person_audit"',
    'alter table "person_audit" drop column "name"',
    'alter table person_audit rename to gone',
    'alter table "person_audit" drop "name", add "x" int',
    'alter table "person_audit" drop column "constraint"',
    'rename table person_audit to gone',
    'drop table if exists "team" cascade;\ndrop table if exists "person_audit" cascade',
    'select 1; delete from person_audit',
    'replace into person_audit (id) values (1)',
    'merge into person_audit using person on true when matched then delete',
    "select 'x\\' ; delete from person_audit -- '",
    'select 1 /*! ; delete from person_audit */',
    'insert into "person_audit" ("id") select s."id" from "person" as s',
    // Found by review: each of these ran on a live server past the previous guard.
    'DELETE FROM U&"person!005faudit" UESCAPE \'!\'',
    "DO 'begin delete from person_audit; end'",
    'create table t_x (event int); delete from person_audit',
    "create table t_y (rule int); update person_audit set email = 'forged'",
    'create table t_z (x int); alter table person_audit rename to x',
    'alter table person_audit set schema other',
    'alter table person_audit alter column email type int using null',
    'drop schema public cascade',
    'drop database app',
    '/*M!100000 DELETE FROM person_audit */',
    '/* /* */ DELETE FROM person_audit -- */',
    'select 1--1; delete from person_audit',
    'DELETE FROM a USING person_audit AS a WHERE a.id = 1',
    "UPDATE (select 1 as id) x JOIN person_audit a ON a.id = x.id SET a.email = 'forged'",
    'DELETE a FROM (select 1 as id) x JOIN person_audit a ON a.id = x.id',
    'UPDATE person p JOIN other o ON o.id = p.id JOIN person_audit a ON a.id = p.id SET a.email = 1',
    'ALTER IGNORE TABLE person_audit DROP COLUMN email',
    'ALTER ONLINE TABLE person_audit DROP COLUMN email',
    'ALTER TABLE person_audit RENAME AS gone',
    'CREATE OR REPLACE TABLE person_audit (x int)',
    "PREPARE s FROM 'DELETE FROM person_audit'; EXECUTE s",
    'alter table person_audit engine = blackhole',
    // Found by a second review.
    'create view v_pa as select * from person_audit',
    'alter table pa_parent attach partition person_audit default',
    'alter table x exchange partition p0 with table person_audit',
    "alter table person_audit alter column email type varchar(255) using email || ' FORGED'",
    'alter table person_audit alter column update_count type int using update_count * 0',
    "insert into person_audit (id) values ('x'); select 1",
  ])('rejects %s', sql => {
    expect(() => guard.check(sql)).toThrow(AuditTrailError);
    expect(() => guard.check(sql)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^AUDIT_(WRITTEN|DROPPED)_WITH_SQL$/), entity: 'PersonAudit' }));
  });

  it.each([
    'select * from "person_audit"',
    'select * from person_audit where note = \'delete from person_audit\'',
    'select * from person_audit for update',
    'select * from person_audit for no key update',
    'update "person" set "name" = $1',
    'insert into "person_audit_archive" (id) values (1)',
    'select "deleted_at", "update_count" from person_audit',
    "select replace(email, '@', ' at ') from person_audit",
    'select insert(email, 1, 2, \'x\'), truncate(id, 0) from person_audit',
    'select * from person_audit lock in share mode',
    'lock tables person_audit read',
    'pragma table_info(`person_audit`)',
    'select id, comment, handler, copy from person_audit',
    'SHOW CREATE TABLE person_audit',
    // Schema evolution from MikroORM's schema tools and migrations.
    'create table "person_audit" ("_audit_id" serial primary key, "name" varchar(50) null)',
    'create index "person_audit_id_index" on "person_audit" ("id")',
    'alter table "person_audit" add column "x" int null',
    'alter table `person_audit` modify `name` varchar(200) null',
    'alter table "person_audit" rename column "name" to "full_name"',
    'alter table "person_audit" drop column "age"',
    'alter table "person_audit" drop constraint "person_audit_id_unique"',
    'alter table `person_audit` drop index `person_audit_id_unique`, drop foreign key `fk`',
    'alter table "person_audit" alter column "id" drop not null',
    'alter table "other" rename to "person_audit_old"',
    'alter table "person_audit" alter column "name" type varchar(200) using ("name"::varchar(200))',
    'alter table `person_audit` add `x` int null, modify `name` varchar(200) null',
    'comment on column "person_audit"."name" is \'drop me\'',
    'create or replace function "person_audit_backstop_fn"() returns trigger language plpgsql as $$ begin insert into "person_audit" values (1); return null; end $$',
    'create trigger `person_audit_no_update` before update on `person_audit` for each row\nbegin\n  signal sqlstate \'45000\';\nend',
    'drop trigger if exists `person_audit_no_update`',
    'create table archive as select * from person_audit',
    'create trigger "t" before update or delete on "person_audit" for each row execute function f()',
  ])('lets %s through', sql => {
    expect(() => guard.check(sql)).not.toThrow();
  });

  it('reads strings the way the dialect does: dollar quotes on PostgreSQL, backslashes in double quotes on MySQL', () => {
    const hidden: Record<string, string[]> = {
      postgresql: ["with x as (select $$'$$ as a) delete from person_audit where 'a' = 'a'", "select $$'$$; delete from person_audit; select $$'$$"],
      mysql: ['UPDATE (SELECT "\\" \'" AS a) x JOIN person_audit p SET p.email = \'FORGED\'', 'select "\\" , \'" ; delete from person_audit; select "\'"'],
      sqlite: [],
    };
    for (const sql of hidden[_dialect]!) {
      expect(() => guard.check(sql)).toThrow(AuditTrailError);
      expect(() => guard.checkSource(sql.replace(/person_audit/g, 'person'))).toThrow(AuditTrailError);
    }
  });

  it("lets MikroORM's SQLite table rebuild drop the table once its rows were copied, and only then", () => {
    const rebuild = [
      'create table `person_audit__temp_alter` (`id` integer)',
      'insert into `person_audit__temp_alter` select `id` from `person_audit`',
      'drop table `person_audit`',
      'alter table `person_audit__temp_alter` rename to `person_audit`',
    ];
    if (_dialect !== 'sqlite') {
      expect(() => rebuild.forEach(sql => guard.check(sql))).toThrow(AuditTrailError);
      return;
    }
    rebuild.forEach(sql => expect(() => guard.check(sql)).not.toThrow());
    expect(() => guard.check('drop table `person_audit`')).toThrow(expect.objectContaining({ code: 'AUDIT_DROPPED_WITH_SQL' }));
    expect(() => guard.check(rebuild.join(';\n'))).not.toThrow();
  });

  it('protects every audit table it was given, schema-qualified or not', () => {
    expect(() => guard.check('update "billing"."invoice_audit" set total = 0')).toThrow(/InvoiceAudit rows \(table invoice_audit\)/);
  });

  it('lets a command line run drop audit tables when asked to, and says how in its error', () => {
    expect(() => guard.check('drop table person_audit')).toThrow(/allowAuditTableWrites\(\(\) => orm\.schema\.refreshDatabase\(\)\).*AUDIT_TRAIL_ALLOW_SCHEMA_DROP=1/);
    process.env.AUDIT_TRAIL_ALLOW_SCHEMA_DROP = '1';
    try {
      expect(() => guard.check('drop table person_audit')).not.toThrow();
      expect(() => guard.check('delete from person_audit')).toThrow(/security record/);
    } finally {
      delete process.env.AUDIT_TRAIL_ALLOW_SCHEMA_DROP;
    }
  });

  it('lets writes through inside allowAuditTableWrites only', () => {
    expect(allowAuditTableWrites(() => guard.check('delete from person_audit'))).toBeUndefined();
    expect(allowAuditTableWrites(() => guard.check('drop table person_audit'))).toBeUndefined();
    expect(() => guard.check('delete from person_audit')).toThrow(/PersonAudit rows \(table person_audit\)/);
  });

  it.each([
    'update person set name = 1',
    'UPDATE `person` SET name = ?',
    'update low_priority ignore person set name = 1',
    'update other, person set person.name = 1',
    'delete from "public"."person"',
    'delete person from person join other on 1 = 1',
    'insert into person (id) values (1)',
    'insert person (id) values (1)',
    'insert/**/into person (id) values (1)',
    'truncate other, person',
    "UPDATE (select 1 as id) x JOIN person p ON p.id = x.id SET p.name = 'x'",
    'delete from other using person where other.id = person.id',
    "load data infile 'x' into table person",
    'with x as (select 1) insert into "person" (id) select 1',
  ])('refuses the unaudited write %s in strict mode', sql => {
    expect(() => guard.checkSource(sql)).toThrow(expect.objectContaining({ code: 'AUDIT_UNAUDITED_STATEMENT', entity: 'Person' }));
    expect(allowUnauditedWrites(() => guard.checkSource(sql))).toBeUndefined();
  });

  it.each([
    'select * from person',
    'select * from person for update',
    "select replace(name, 'a', 'b') from person",
    'insert into other (id) select id from person',
    'update other set name = (select name from person limit 1)',
    'delete from other where id in (select id from person)',
    'create trigger t after insert on person for each row insert into person_audit values (1)',
  ])('lets %s reach a table it does not write', sql => {
    expect(() => guard.checkSource(sql)).not.toThrow();
  });
});
