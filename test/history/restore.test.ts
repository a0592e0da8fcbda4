import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EntitySchema, type EntitySchemaMetadata, type Ref } from '@mikro-orm/core';
import { AuditTrail, AuditTrailError, auditContext, auditHistory, auditOf, auditTrail, restore, type AuditRow } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { migrationProject, type MigrationProject } from '../support/migrationProject.js';
import { Entity, ManyToOne, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
class Client {
  @PrimaryKey({ type: 'number' }) id!: number;
}

@Entity()
@AuditTrail({ trackFields: [{ name: 'username', type: 'string', value: () => auditContext.current()?.user ?? null }] })
class Contract {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number' }) amount!: number;
  @Property({ type: 'string', nullable: true }) note?: string | null;
  @ManyToOne(() => Client, { ref: true }) client!: Ref<Client>;
}

describeOnEachDatabase('restore', { file: import.meta.url, config: { entities: [Client, Contract] } }, ctx => {
  beforeEach(async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    em.create(Client, { id: 1 });
    em.create(Client, { id: 2 });
    em.create(Contract, { id: 1, amount: 100, note: 'draft', client: 1 });
    await em.flush();
    const contract = await em.findOneOrFail(Contract, 1);
    contract.amount = 250;
    contract.note = null;
    contract.client = em.getReference(Client, 2, { wrapped: true });
    await em.flush();
  });

  it('makes the live row equal to an earlier version, as an audited change whose reason names it', async () => {
    const em = ctx.t.orm.em.fork();
    const [, first] = await auditHistory(em, Contract, 1);
    await auditContext.run({ user: 'ada' }, () => restore(em, first!));
    const live = await ctx.t.orm.em.fork().findOneOrFail(Contract, 1);
    expect([live.amount, live.note, live.client.id]).toEqual([100, 'draft', 1]);
    const [latest] = await auditHistory(ctx.t.orm.em.fork(), Contract, 1);
    expect(latest).toMatchObject({
      _audit_change_type: 'U',
      amount: 100,
      username: 'ada',
      _audit_reason: `restored ContractAudit #${first!._audit_id}`,
    });
  });

  it('recreates a deleted row from its last version, with a reason of its own if given', async () => {
    const em = ctx.t.orm.em.fork();
    em.remove(em.getReference(Contract, 1));
    await em.flush();
    const [deleted] = await auditHistory(em, Contract, 1);
    expect(deleted!._audit_change_type).toBe('D');
    const restored = await restore(ctx.t.orm.em.fork(), Contract, deleted!, { reason: 'deleted by mistake' });
    expect(restored).toBeInstanceOf(Contract);
    const live = await ctx.t.orm.em.fork().findOneOrFail(Contract, 1);
    expect([live.amount, live.note, live.client.id]).toEqual([250, null, 2]);
    const [latest] = await auditHistory(ctx.t.orm.em.fork(), Contract, 1);
    expect(latest).toMatchObject({ _audit_change_type: 'I', amount: 250, _audit_reason: 'deleted by mistake' });
  });

  it('rejects something that is not an audit row, and a version of another entity', async () => {
    const em = ctx.t.orm.em.fork();
    const live = await em.findOneOrFail(Contract, 1);
    await expect(restore(em, live as never)).rejects.toThrow(AuditTrailError);
    await expect(restore(em, live as never)).rejects.toThrow(/restore\(\): the version argument is not an audit row/);
    const [version] = await auditHistory(em, Contract, 1);
    await expect(restore(em, Client as never, version as never)).rejects.toThrow(
      /restore\(\) was asked to restore Client, but the version is a row of Contract's history/,
    );
  });
});

// Two releases of one table: the second removes `legacy_code` and adds the required `vat` (default 20).
type Row = Record<string, unknown>;
function priceList(n: number, properties: EntitySchemaMetadata<Row>['properties']): EntitySchema<Row> {
  return auditTrail(new EntitySchema<Row>({ name: `PriceV${n}`, tableName: 'price', properties }));
}
const PriceV1 = priceList(1, {
  id: { type: 'number', primary: true },
  amount: { type: 'number' },
  legacyCode: { type: 'string', length: 10 },
});
const PriceV2 = priceList(2, {
  id: { type: 'number', primary: true },
  amount: { type: 'number' },
  vat: { type: 'number', default: 20 },
});

describe.each(DATABASES.filter(db => db.available))('restore across schema changes on $name', db => {
  let project: MigrationProject;

  beforeAll(async () => {
    project = migrationProject(db, dbNameFor(import.meta.url));
    const orm = await project.open([PriceV1]);
    await project.migrate();
    const em = orm.em.fork();
    em.create(PriceV1, { id: 1, amount: 10, legacyCode: 'X1' });
    em.create(PriceV1, { id: 2, amount: 20, legacyCode: 'X2' });
    await em.flush();
    em.getReference(PriceV1, 1).amount = 11;
    await em.flush();
  });
  afterAll(async () => {
    await project?.close();
  });

  it('ignores removed columns, and gives added ones their current value or default', async () => {
    const orm = await project.open([PriceV2]);
    await project.migrate();
    const em = orm.em.fork();
    const live = await em.findOneOrFail(PriceV2, 1);
    live.vat = 7;
    await em.flush();
    em.remove(em.getReference(PriceV2, 2));
    await em.flush();

    const [firstOfOne] = await em.find(auditOf(PriceV2) as EntitySchema<Row>, { id: 1 }, { orderBy: { _audit_id: 'asc' }, limit: 1 });
    expect(firstOfOne).toMatchObject({ amount: 10, legacy_code: 'X1', vat: null });
    await restore(orm.em.fork(), firstOfOne as AuditRow<Row>);
    expect(await orm.em.fork().findOneOrFail(PriceV2, 1)).toMatchObject({ amount: 10, vat: 7 });

    const [lastOfTwo] = await em.find(auditOf(PriceV2) as EntitySchema<Row>, { id: 2, _audit_change_type: 'I' });
    await restore(orm.em.fork(), lastOfTwo as AuditRow<Row>);
    expect(await orm.em.fork().findOneOrFail(PriceV2, 2)).toMatchObject({ amount: 20, vat: 20 });
  });
});
