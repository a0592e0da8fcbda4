import { beforeEach, expect, it } from 'vitest';
import type { Ref } from '@mikro-orm/core';
import { AuditTrail, auditHistory, auditOf } from '../../src/index.js';
import { Entity, ManyToOne, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
class Company {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
@AuditTrail()
class Employee {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string', unique: true }) badge!: string;
  @Property({ type: 'number' }) salary!: number;
  @Property({ type: 'string', defaultRaw: `'unassigned'` }) desk?: string;
  @ManyToOne(() => Company, { ref: true, nullable: true, deleteRule: 'set null' }) company?: Ref<Company> | null;
}

const EmployeeAudit = auditOf(Employee);

describeOnEachDatabase('complete snapshots', { file: import.meta.url, config: { entities: [Company, Employee] } }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));

  async function seed() {
    const em = ctx.t.orm.em.fork();
    const company = em.create(Company, { name: 'Acme' });
    const employee = em.create(Employee, { name: 'Lin', badge: 'B-1', salary: 100, company });
    await em.flush();
    return { companyId: company.id, id: employee.id };
  }

  it('copies columns the database filled in, even without RETURNING', async () => {
    const { id } = await seed();
    const [row] = await auditHistory(ctx.t.orm.em.fork(), Employee, id);
    expect(row).toMatchObject({ _audit_change_type: 'I', desk: 'unassigned', salary: 100 });
  });

  it('writes the full row for an update of a partially loaded entity', async () => {
    const { id, companyId } = await seed();
    const em = ctx.t.orm.em.fork();
    const partial = await em.findOneOrFail(Employee, id, { fields: ['salary'] });
    partial.salary = 200;
    await em.flush();
    const [row] = await auditHistory(ctx.t.orm.em.fork(), Employee, id);
    expect(row).toMatchObject({ _audit_change_type: 'U', name: 'Lin', badge: 'B-1', salary: 200, desk: 'unassigned' });
    expect(row!.company?.id).toBe(companyId);
  });

  it('writes the full last state when a row is removed through a reference', async () => {
    const { id, companyId } = await seed();
    const em = ctx.t.orm.em.fork();
    em.remove(em.getReference(Employee, id));
    await em.flush();
    const [row] = await auditHistory(ctx.t.orm.em.fork(), Employee, id);
    expect(row).toMatchObject({ _audit_change_type: 'D', name: 'Lin', badge: 'B-1', salary: 100 });
    expect(row!.company?.id).toBe(companyId);
  });

  it('writes the last stored state, not unflushed edits, when a changed entity is removed', async () => {
    const { id } = await seed();
    const em = ctx.t.orm.em.fork();
    const employee = await em.findOneOrFail(Employee, id);
    employee.salary = 999;
    em.remove(employee);
    await em.flush();
    const [row] = await auditHistory(ctx.t.orm.em.fork(), Employee, id);
    expect(row).toMatchObject({ _audit_change_type: 'D', salary: 100 });
  });

  it('keeps history when the referenced row is deleted, and records the key the database nulled', async () => {
    const { id, companyId } = await seed();
    const em = ctx.t.orm.em.fork();
    // History loaded into the same unit of work, with its referenced entity, must not get in the way.
    await em.find(EmployeeAudit, {}, { populate: ['company'] });
    em.remove(await em.findOneOrFail(Company, companyId));
    await em.flush();
    const history = await auditHistory(ctx.t.orm.em.fork(), Employee, id);
    // The nullable relation's foreign key is ON DELETE SET NULL: the database changed the row, so history has a U.
    expect(history.map(row => row._audit_change_type)).toEqual(['U', 'I']);
    expect(history[0]!.company).toBeNull();
    expect(history[1]!.company?.id).toBe(companyId);
  });

  it('lets a unique column repeat in history', async () => {
    const { id } = await seed();
    const em = ctx.t.orm.em.fork();
    const employee = await em.findOneOrFail(Employee, id);
    employee.salary = 150;
    await em.flush();
    em.remove(employee);
    await em.flush();
    em.create(Employee, { name: 'Lin again', badge: 'B-1', salary: 1 });
    await em.flush();
    const badges = await ctx.t.orm.em.fork().find(EmployeeAudit, { badge: 'B-1' });
    expect(badges.map(row => row._audit_change_type)).toEqual(['I', 'U', 'D', 'I']);
  });

  it('writes one audit row per entity and orders a flush by audit id under one timestamp', async () => {
    const em = ctx.t.orm.em.fork();
    for (let i = 0; i < 5; i++) {
      em.create(Employee, { name: `E${i}`, badge: `X-${i}`, salary: i });
    }
    await em.flush();
    const rows = await ctx.t.orm.em.fork().find(EmployeeAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => row.name)).toEqual(['E0', 'E1', 'E2', 'E3', 'E4']);
    expect(new Set(rows.map(row => row._audit_timestamp.getTime())).size).toBe(1);
  });
});
