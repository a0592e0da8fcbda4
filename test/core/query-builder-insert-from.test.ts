// MikroORM 7.2 added qb.insertFrom(): an INSERT … SELECT whose inserted rows the audit trail cannot tell. It
// must be refused in strict mode (not slip past as it did, writing no audit row), and run unrecorded only when
// asked to.
import { expect, it } from 'vitest';
import type { SqlEntityManager } from '@mikro-orm/sqlite';
import { AuditTrail, allowUnauditedWrites, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, ormMajor, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Shipment {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) label!: string;
}

@Entity()
class Draft {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) label!: string;
}

const ShipmentAudit = auditOf(Shipment);

describeOnEachDatabase('query-builder insertFrom()', { file: import.meta.url, config: { entities: [Shipment, Draft] } }, ctx => {
  it('is refused on an audited entity in strict mode, and runs unrecorded inside allowUnauditedWrites', async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork() as unknown as SqlEntityManager;
    em.create(Draft, { id: 7, label: 'from a draft' });
    await em.flush();
    type InsertFrom = { insertFrom(source: unknown): { execute(): Promise<unknown> } };
    const probe = em.createQueryBuilder(Shipment) as unknown as Partial<InsertFrom>;
    if (typeof probe.insertFrom !== 'function') {
      // Only MikroORM 7.2+ has it; the MikroORM 7 run of this suite exercises the rest.
      expect(ormMajor).toBe(6);
      return;
    }
    const insertFrom = (trx: SqlEntityManager) =>
      (trx.createQueryBuilder(Shipment) as unknown as InsertFrom).insertFrom(trx.createQueryBuilder(Draft).select(['id', 'label'])).execute();
    await expect(em.transactional(trx => insertFrom(trx))).rejects.toThrow(
      expect.objectContaining({ code: 'AUDIT_QUERY_BUILDER_INSERT_FROM', entity: 'Shipment' }),
    );
    expect(await ctx.t.orm.em.fork().count(Shipment, {})).toBe(0);

    await allowUnauditedWrites(() => em.transactional(trx => insertFrom(trx)));
    expect(await ctx.t.orm.em.fork().count(Shipment, {})).toBe(1);
    expect(await ctx.t.orm.em.fork().count(ShipmentAudit, {})).toBe(0);
  });
});
