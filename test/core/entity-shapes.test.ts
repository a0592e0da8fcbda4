import { beforeEach, expect, it } from 'vitest';
import { EntitySchema, OptionalProps, PrimaryKeyProp, defineEntity, p } from '@mikro-orm/core';
import { AuditTrail, auditHistory, auditOf, auditTrail } from '../../src/index.js';
import { Embeddable, Embedded, Entity, ManyToOne, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

// EntitySchema entity
interface Country {
  code: string;
  name: string;
  population?: number;
}
const CountrySchema = auditTrail(
  new EntitySchema<Country>({
    name: 'Country',
    properties: {
      code: { type: 'string', primary: true, length: 2 },
      name: { type: 'string', unique: true },
      population: { type: 'number', nullable: true },
    },
  }),
);
const CountryAudit = auditOf(CountrySchema);

// defineEntity entity
const CitySchema = auditTrail(
  defineEntity({
    name: 'City',
    properties: {
      id: p.integer().primary(),
      name: p.string(),
      country: () => p.manyToOne(CountrySchema).nullable(),
    },
  }),
);
const CityAudit = auditOf(CitySchema);

// Composite primary key made of a relation and a scalar
@Entity()
class Warehouse {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
@AuditTrail()
class StockLevel {
  [PrimaryKeyProp]?: ['warehouse', 'sku'];
  @ManyToOne(() => Warehouse, { primary: true }) warehouse!: Warehouse;
  @PrimaryKey({ type: 'string' }) sku!: string;
  @Property({ type: 'number' }) quantity!: number;
}
const StockLevelAudit = auditOf(StockLevel);

// Embeddable, a base class, JSON and a UUID-ish string key
@Embeddable()
class Address {
  @Property({ type: 'string' }) street!: string;
  @Property({ type: 'string', nullable: true }) city?: string | null;
}

abstract class Timestamped {
  [OptionalProps]?: 'createdAt';
  @Property({ type: 'Date', length: 3 }) createdAt: Date = new Date('2026-05-06T07:08:09.123Z');
}

@Entity()
@AuditTrail()
class Customer extends Timestamped {
  @PrimaryKey({ type: 'string', length: 36 }) id!: string;
  @Property({ type: 'string' }) name!: string;
  @Embedded(() => Address) address!: Address;
  @Property({ type: 'json', nullable: true }) tags?: string[] | null;
}
const CustomerAudit = auditOf(Customer);

// The usual base entity: the autoincrement key itself is inherited.
abstract class BaseEntity {
  [OptionalProps]?: 'version';
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'number', version: true }) version!: number;
}

@Entity()
@AuditTrail()
class Vehicle extends BaseEntity {
  @Property({ type: 'string' }) plate!: string;
}
const VehicleAudit = auditOf(Vehicle);

const entities = [CountrySchema, CitySchema, Warehouse, StockLevel, Address, Customer, Vehicle];

describeOnEachDatabase('entity shapes', { file: import.meta.url, config: { entities } }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));

  it('audits EntitySchema entities, with a string key', async () => {
    const em = ctx.t.orm.em.fork();
    const cz = em.create(CountrySchema, { code: 'CZ', name: 'Czechia', population: 10 });
    await em.flush();
    cz.population = 11;
    await em.flush();
    const rows = await ctx.t.orm.em.fork().find(CountryAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(r => [r._audit_change_type, r.code, r.population])).toEqual([
      ['I', 'CZ', 10],
      ['U', 'CZ', 11],
    ]);
  });

  it('audits defineEntity entities and their relations', async () => {
    const em = ctx.t.orm.em.fork();
    const country = em.create(CountrySchema, { code: 'FR', name: 'France' });
    const city = em.create(CitySchema, { name: 'Lyon', country });
    await em.flush();
    em.remove(city);
    await em.flush();
    const rows = await ctx.t.orm.em.fork().find(CityAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(r => [r._audit_change_type, r.id, r.name, (r.country as { code: string } | null)?.code])).toEqual([
      ['I', city.id, 'Lyon', 'FR'],
      ['D', city.id, 'Lyon', 'FR'],
    ]);
  });

  it('audits composite keys made of a relation and a scalar', async () => {
    const em = ctx.t.orm.em.fork();
    const w1 = em.create(Warehouse, { name: 'North' });
    const w2 = em.create(Warehouse, { name: 'South' });
    const a = em.create(StockLevel, { warehouse: w1, sku: 'A', quantity: 1 });
    em.create(StockLevel, { warehouse: w2, sku: 'A', quantity: 2 });
    await em.flush();
    a.quantity = 5;
    await em.flush();
    em.remove(em.getReference(StockLevel, [w2.id, 'A']));
    await em.flush();
    const rows = await ctx.t.orm.em.fork().find(StockLevelAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(r => [r._audit_change_type, r.warehouse?.id, r.sku, r.quantity])).toEqual([
      ['I', w1.id, 'A', 1],
      ['I', w2.id, 'A', 2],
      ['U', w1.id, 'A', 5],
      ['D', w2.id, 'A', 2],
    ]);
    const history = await auditHistory(ctx.t.orm.em.fork(), StockLevel, [w1.id, 'A']);
    expect(history.map(r => r.quantity)).toEqual([5, 1]);
  });

  it('audits an entity whose autoincrement key and version come from a base class', async () => {
    const em = ctx.t.orm.em.fork();
    const vehicle = em.create(Vehicle, { plate: 'AB-1' });
    await em.flush();
    vehicle.plate = 'AB-2';
    await em.flush();
    const rows = await ctx.t.orm.em.fork().find(VehicleAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(r => [r._audit_change_type, r.id, r.plate, r.version])).toEqual([
      ['I', vehicle.id, 'AB-1', 1],
      ['U', vehicle.id, 'AB-2', 2],
    ]);
  });

  it('audits embedded, inherited and JSON columns', async () => {
    const em = ctx.t.orm.em.fork();
    const customer = em.create(Customer, { id: 'c-1', name: 'Zed', address: { street: 'Main 1', city: 'Brno' }, tags: ['vip'] });
    await em.flush();
    customer.address.city = null;
    await em.flush();
    const rows = await ctx.t.orm.em.fork().find(CustomerAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(r => [r._audit_change_type, r.name, r.address?.street, r.address?.city])).toEqual([
      ['I', 'Zed', 'Main 1', 'Brno'],
      ['U', 'Zed', 'Main 1', null],
    ]);
    expect(rows[0]?.createdAt?.toISOString()).toBe('2026-05-06T07:08:09.123Z');
    // MikroORM's mysql driver returns MariaDB JSON (a LONGTEXT alias) as text, for any entity: parse it there.
    const tags = rows[0]?.tags as unknown;
    expect(typeof tags === 'string' && ctx.db.name === 'mariadb' ? JSON.parse(tags) : tags).toEqual(['vip']);
  });
});
