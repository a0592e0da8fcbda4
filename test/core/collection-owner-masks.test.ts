// A collection's pivot audit table takes its options from the owning entity. The owner's `mask` (and `exclude`)
// name the owner's properties, not the pivot's: they keep masking the owner's audit rows and leave the pivot's
// alone, with and without tamper evidence, instead of failing MikroORM.init.
import { beforeEach, expect, it } from 'vitest';
import { Collection } from '@mikro-orm/core';
import { AuditTrail, allowAuditTableWrites, auditContext, auditOf, auditOfCollection } from '../../src/index.js';
import { Entity, ManyToMany, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';
import { expectChainsIntact, recomputeTableChains } from '../support/chains.js';

const lastFour = (value: unknown) => `***-**-${String(value).slice(-4)}`;

@Entity()
class Ward {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
@AuditTrail<Patient>({ mask: { ssn: lastFour }, exclude: ['notes'] })
class Patient {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string', nullable: true }) ssn?: string | null;
  @Property({ type: 'string', nullable: true }) notes?: string | null;
  @ManyToMany(() => Ward) wards = new Collection<Ward>(this);
}

// The same owner with tamper evidence: the pivot audit table is chained as well.
@Entity()
@AuditTrail<Donor>({ mask: { ssn: lastFour }, tamperEvidence: true })
class Donor {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', nullable: true }) ssn?: string | null;
  @ManyToMany(() => Ward) wards = new Collection<Ward>(this);
}

const PatientAudit = auditOf(Patient);
const DonorAudit = auditOf(Donor);
const PatientWardsAudit = auditOfCollection(Patient, 'wards');
const DonorWardsAudit = auditOfCollection(Donor, 'wards');

type Owner = typeof Patient | typeof Donor;

async function rawRows({ t }: SuiteContext, table: string): Promise<Record<string, unknown>[]> {
  return allowAuditTableWrites(() => t.orm.em.getConnection().execute(`select * from ${table} order by _audit_id`));
}

describeOnEachDatabase('masks on the owner of an audited collection', { file: import.meta.url, config: { entities: [Ward, Patient, Donor] } }, ctx => {
  beforeEach(async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    [1, 2, 3].forEach(id => em.create(Ward, { id, name: `ward ${id}` }));
    await em.flush();
  });

  // Creates the owner in wards 1 and 2, then moves it from ward 1 to ward 3 and changes its ssn in one flush.
  async function admitAndMove(entity: Owner): Promise<void> {
    const em = ctx.t.orm.em.fork();
    const owner = em.create(entity, { id: 1, name: 'Ada', ssn: '123-45-6789', notes: 'private' } as never) as Patient | Donor;
    owner.wards.add(em.getReference(Ward, 1), em.getReference(Ward, 2));
    await auditContext.run({ user: 'ada', reason: 'admit' }, () => em.flush());
    owner.wards.remove(em.getReference(Ward, 1));
    owner.wards.add(em.getReference(Ward, 3));
    owner.ssn = '987-65-4321';
    await auditContext.run({ user: 'bob', reason: 'move' }, () => em.flush());
  }

  it('masks the owner’s audit rows and records the collection’s pivot rows', async () => {
    await admitAndMove(Patient);
    const owners = await ctx.t.orm.em.fork().find(PatientAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(owners.map(row => [row._audit_change_type, row.name, row.ssn])).toEqual([
      ['I', 'Ada', '***-**-6789'],
      ['U', 'Ada', '***-**-4321'],
    ]);
    const pivots = await rawRows(ctx, 'patient_wards_audit');
    expect(pivots.map(row => [Number(row.patient_id), Number(row.ward_id), row._audit_change_type, row._audit_actor, row._audit_reason])).toEqual([
      [1, 1, 'I', 'ada', 'admit'],
      [1, 2, 'I', 'ada', 'admit'],
      [1, 1, 'D', 'bob', 'move'],
      [1, 3, 'I', 'bob', 'move'],
    ]);
    const everything = JSON.stringify([...(await rawRows(ctx, 'patient_audit')), ...pivots]);
    expect(everything).not.toContain('123-45');
    expect(everything).not.toContain('987-65');
    expect(everything).not.toContain('private');
  });

  it('gives the pivot audit table the pivot’s columns only', () => {
    const columns = (entity: string) => ctx.t.orm.getMetadata().get(entity).props.flatMap(prop => prop.fieldNames ?? []);
    expect(columns(PatientAudit.meta.className)).toContain('ssn');
    expect(columns(PatientAudit.meta.className)).not.toContain('notes');
    const pivot = columns(PatientWardsAudit.meta.className);
    expect(pivot).toEqual(expect.arrayContaining(['patient_id', 'ward_id', '_audit_change_type']));
    expect(pivot).not.toContain('ssn');
  });

  it('chains the owner’s and the pivot’s audit rows with tamperEvidence', async () => {
    await admitAndMove(Donor);
    const owners = await ctx.t.orm.em.fork().find(DonorAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(owners.map(row => [row._audit_change_type, row.ssn])).toEqual([
      ['I', '***-**-6789'],
      ['U', '***-**-4321'],
    ]);
    const pivots = await ctx.t.orm.em.fork().find(DonorWardsAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(pivots.map(row => [row._audit_change_type, row._audit_hash === null])).toEqual([
      ['I', false],
      ['I', false],
      ['D', false],
      ['I', false],
    ]);
    await expectChainsIntact(ctx.t.orm.em.fork(), Donor, 2);
    const pivot = await recomputeTableChains(ctx.t.orm.em.fork(), 'donor_wards_audit');
    expect(pivot).toMatchObject({ chained: 4, chains: 2, mismatches: [], unchained: [] });
  });
});
