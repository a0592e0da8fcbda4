// A collection's pivot audit table takes its options from the owning entity. The owner's `mask` (and `exclude`)
// name the owner's properties, not the pivot's: they keep masking the owner's audit rows and leave the pivot's
// alone, with and without tamper evidence, instead of failing MikroORM.init.
import { beforeEach, expect, it } from 'vitest';
import { Collection } from '@mikro-orm/core';
import { AuditTrail, allowAuditTableWrites, auditContext, auditOf, auditOfCollection } from '../../src/index.js';
import { Entity, ManyToMany, ManyToOne, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';
import { expectChainsIntact, recomputeTableChains } from '../support/chains.js';

const lastFour = (value: unknown) => `***-**-${String(value).slice(-4)}`;

@Entity()
class Ward {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
// Excluding the owner's own relation to Ward leaves the pivot's key column to Ward alone.
@AuditTrail<Patient>({ mask: { ssn: lastFour }, exclude: ['notes', 'ward'] })
class Patient {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
  @Property({ type: 'string', nullable: true }) ssn?: string | null;
  @Property({ type: 'string', nullable: true }) notes?: string | null;
  @ManyToOne(() => Ward, { nullable: true }) ward?: Ward | null;
  @ManyToMany(() => Ward) wards = new Collection<Ward>(this);
}

// The same owner with tamper evidence (and two masks): the pivot audit table is chained as well.
@Entity()
@AuditTrail<Donor>({ mask: { ssn: lastFour, ward: () => 'hidden' }, tamperEvidence: true })
class Donor {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', nullable: true }) ssn?: string | null;
  @Property({ type: 'string', nullable: true }) ward?: string | null;
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
  async function admitAndMove(entity: Owner, data: object): Promise<void> {
    const em = ctx.t.orm.em.fork();
    const owner = em.create(entity, { id: 1, ssn: '123-45-6789', ...data } as never) as Patient | Donor;
    owner.wards.add(em.getReference(Ward, 1), em.getReference(Ward, 2));
    await auditContext.run({ user: 'ada', reason: 'admit' }, () => em.flush());
    owner.wards.remove(em.getReference(Ward, 1));
    owner.wards.add(em.getReference(Ward, 3));
    owner.ssn = '987-65-4321';
    await auditContext.run({ user: 'bob', reason: 'move' }, () => em.flush());
  }

  it('masks the owner’s audit rows and records the collection’s pivot rows', async () => {
    await admitAndMove(Patient, { name: 'Ada', notes: 'private', ward: 2 });
    const owners = await ctx.t.orm.em.fork().find(PatientAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(owners.map(row => [row._audit_change_type, row.name, row.ssn])).toEqual([
      ['I', 'Ada', '***-**-6789'],
      ['U', 'Ada', '***-**-4321'],
    ]);
    const pivots = await rawRows(ctx, 'patient_wards_audit');
    const history = pivots.map(row => [Number(row.patient_id), Number(row.ward_id), row._audit_change_type, row._audit_actor, row._audit_reason]);
    // The order of one flush's inserts and deletes is not what is tested here.
    expect([...history.slice(0, 2).sort(), ...history.slice(2).sort()]).toEqual([
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
    expect(columns(PatientAudit.meta.className)).not.toContain('ward_id');
    expect(columns(PatientWardsAudit.meta.className)).toEqual(expect.arrayContaining(['patient_id', 'ward_id', '_audit_change_type']));
    expect(columns(PatientWardsAudit.meta.className)).not.toContain('ssn');
    expect(columns(DonorWardsAudit.meta.className)).toEqual(expect.arrayContaining(['donor_id', 'ward_id', '_audit_hash']));
  });

  it('chains the owner’s and the pivot’s audit rows with tamperEvidence', async () => {
    await admitAndMove(Donor, { ward: 'east wing' });
    const owners = await ctx.t.orm.em.fork().find(DonorAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(owners.map(row => [row._audit_change_type, row.ssn, row.ward])).toEqual([
      ['I', '***-**-6789', 'hidden'],
      ['U', '***-**-4321', 'hidden'],
    ]);
    const pivots = await rawRows(ctx, 'donor_wards_audit');
    const history = pivots.map(row => [Number(row.donor_id), Number(row.ward_id), row._audit_change_type, typeof row._audit_hash]);
    expect([...history.slice(0, 2).sort(), ...history.slice(2).sort()]).toEqual([
      [1, 1, 'I', 'string'],
      [1, 2, 'I', 'string'],
      [1, 1, 'D', 'string'],
      [1, 3, 'I', 'string'],
    ]);
    expect(JSON.stringify(await rawRows(ctx, 'donor_audit'))).not.toContain('east wing');
    await expectChainsIntact(ctx.t.orm.em.fork(), Donor, 2);
    const pivot = await recomputeTableChains(ctx.t.orm.em.fork(), 'donor_wards_audit');
    expect(pivot).toMatchObject({ chained: 4, chains: 2, mismatches: [], unchained: [] });
  });
});
