import { beforeEach, expect, it } from 'vitest';
import { OptionalProps } from '@mikro-orm/core';
import { AuditTrail, allowAuditTableWrites, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';

const SSN = '123-45-6789';
const PASSWORD = 'hunter2-bcrypt-hash';

@Entity()
@AuditTrail<Employee>({
  exclude: ['passwordHash'],
  mask: { ssn: value => `***-**-${String(value).slice(-4)}` },
})
class Employee {
  [OptionalProps]?: 'updatedAt';
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string' }) passwordHash!: string;
  @Property({ type: 'string', nullable: true }) ssn?: string | null;
  @Property({ type: 'Date', length: 3, onUpdate: () => new Date() }) updatedAt: Date = new Date();
}

@Entity()
@AuditTrail({ exclude: ['note'], skipUnchanged: false })
class Ledger {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) balance!: number;
  @Property({ type: 'string', nullable: true }) note?: string;
}

const EmployeeAudit = auditOf(Employee);
const LedgerAudit = auditOf(Ledger);

async function rawAuditRows({ t }: SuiteContext): Promise<Record<string, unknown>[]> {
  return allowAuditTableWrites(() => t.orm.em.getConnection().execute('select * from employee_audit order by _audit_id'));
}

describeOnEachDatabase('excluded and masked fields', { file: import.meta.url, config: { entities: [Employee, Ledger] } }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));

  async function createEmployee(): Promise<void> {
    const em = ctx.t.orm.em.fork();
    em.create(Employee, { id: 1, name: 'Ada', passwordHash: PASSWORD, ssn: SSN });
    await em.flush();
  }

  it('leaves an excluded column out of the audit table, and keeps a masked one', () => {
    const audit = ctx.t.orm.getMetadata().get(EmployeeAudit.meta.className);
    const columns = audit.props.flatMap(prop => prop.fieldNames ?? []);
    expect(columns).toContain('ssn');
    expect(columns).toContain('name');
    expect(columns).not.toContain('password_hash');
  });

  it('stores the masked value only: the secret appears in no audit column, on insert, update or delete', async () => {
    await createEmployee();
    const em = ctx.t.orm.em.fork();
    const employee = await em.findOneOrFail(Employee, 1);
    employee.name = 'Ada Lovelace';
    await em.flush();
    // Changed through a reference: the new value is read from the database, not from the entity.
    const reference = em.getReference(Employee, 1);
    reference.ssn = '987-65-4321';
    await em.flush();
    em.remove(employee);
    await em.flush();

    const rows = await ctx.t.orm.em.fork().find(EmployeeAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => [row._audit_change_type, row.name, row.ssn])).toEqual([
      ['I', 'Ada', '***-**-6789'],
      ['U', 'Ada Lovelace', '***-**-6789'],
      ['U', 'Ada Lovelace', '***-**-4321'],
      ['D', 'Ada Lovelace', '***-**-4321'],
    ]);
    const everything = JSON.stringify(await rawAuditRows(ctx));
    expect(everything).not.toContain('123-45');
    expect(everything).not.toContain('987-65');
    expect(everything).not.toContain(PASSWORD);
  });

  it('passes null through the mask function', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(Employee, { id: 2, name: 'Grace', passwordHash: PASSWORD, ssn: null });
    await em.flush();
    const [row] = await ctx.t.orm.em.fork().find(EmployeeAudit, { id: 2 });
    expect(row!.ssn).toBe('***-**-null');
  });

  it('writes no U row for a flush that changes only excluded fields (skipUnchanged), even with an onUpdate column', async () => {
    await createEmployee();
    const em = ctx.t.orm.em.fork();
    const employee = await em.findOneOrFail(Employee, 1);
    employee.passwordHash = 'another-hash';
    await em.flush();
    expect(await ctx.t.orm.em.fork().findOneOrFail(Employee, 1)).toMatchObject({ passwordHash: 'another-hash' });
    expect(await ctx.t.orm.em.fork().count(EmployeeAudit)).toBe(1);
  });

  it('writes the U row anyway with skipUnchanged: false', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(Ledger, { id: 1, balance: 10 });
    await em.flush();
    const ledger = await em.findOneOrFail(Ledger, 1);
    ledger.note = 'checked';
    await em.flush();
    const rows = await ctx.t.orm.em.fork().find(LedgerAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => [row._audit_change_type, row.balance])).toEqual([
      ['I', 10],
      ['U', 10],
    ]);
    expect(rows[0]).not.toHaveProperty('note');
  });
});
