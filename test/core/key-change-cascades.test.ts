// MikroORM 6 and 7 give a relation with Cascade.PERSIST (the default) `ON UPDATE CASCADE`: changing the
// referenced row's primary key makes the database update the referencing rows, which no MikroORM event reports.
// For an audited referencing entity that change would have no `U` row, so the key change is refused instead.
import { expect, it } from 'vitest';
import { PrimaryKeyProp } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/sqlite';
import { AuditTrail, AuditTrailError, auditOf } from '../../src/index.js';
import { Entity, ManyToOne, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
class Shelf {
  @PrimaryKey({ type: 'string' }) code!: string;
  @Property({ type: 'string' }) label!: string;
}

@Entity()
@AuditTrail()
class Book {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) title!: string;
  @ManyToOne(() => Shelf) shelf!: Shelf;
}

// Its relation to Shelf does not cascade on update, so its key may change.
@Entity()
class Rack {
  @PrimaryKey({ type: 'string' }) code!: string;
}

@Entity()
@AuditTrail()
class Box {
  @PrimaryKey({ type: 'number' }) id!: number;
  @ManyToOne(() => Rack, { updateRule: 'no action' }) rack!: Rack;
}

// Aisle's key reaches the audited Loan through Slot, whose own key holds the foreign key to Aisle.
@Entity()
class Aisle {
  @PrimaryKey({ type: 'string' }) code!: string;
}

@Entity()
class Slot {
  [PrimaryKeyProp]?: ['aisle', 'n'];
  @ManyToOne(() => Aisle, { primary: true }) aisle!: Aisle;
  @PrimaryKey({ type: 'number' }) n!: number;
}

@Entity()
@AuditTrail()
class Loan {
  @PrimaryKey({ type: 'number' }) id!: number;
  @ManyToOne(() => Slot) slot!: Slot;
}

const BookAudit = auditOf(Book);

const refusal = { code: 'AUDIT_KEY_CHANGE_CASCADES', entity: 'Shelf' };

describeOnEachDatabase('primary key changes the database cascades', { file: import.meta.url, config: { entities: [Shelf, Book, Rack, Box, Aisle, Slot, Loan] } }, ctx => {
  async function seed(): Promise<SqlEntityManager> {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork() as unknown as SqlEntityManager;
    em.create(Book, { id: 1, title: 'Dune', shelf: em.create(Shelf, { code: 'a1', label: 'A' }) });
    em.create(Box, { id: 1, rack: em.create(Rack, { code: 'r1' }) });
    await em.flush();
    return ctx.t.orm.em.fork() as unknown as SqlEntityManager;
  }

  async function unchanged(): Promise<void> {
    const em = ctx.t.orm.em.fork();
    expect((await em.findOneOrFail(Book, 1)).shelf.code).toBe('a1');
    expect((await em.find(BookAudit, {})).map(row => row._audit_change_type)).toEqual(['I']);
  }

  it('refuses a flush that changes the key of a row audited rows reference with ON UPDATE CASCADE', async () => {
    const em = await seed();
    const shelf = await em.findOneOrFail(Shelf, { code: 'a1' });
    shelf.code = 'b2';
    const error = await em.flush().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(AuditTrailError);
    expect(error).toMatchObject(refusal);
    await unchanged();
  });

  it('refuses nativeUpdate and query-builder updates of such a key', async () => {
    const em = await seed();
    await expect(em.nativeUpdate(Shelf, { code: 'a1' }, { code: 'b2' })).rejects.toMatchObject(refusal);
    await expect(em.transactional(trx => trx.createQueryBuilder(Shelf).update({ code: 'b2' }).where({ code: 'a1' }).execute())).rejects.toMatchObject(refusal);
    await unchanged();
  });

  it('lets other changes through: other fields, and keys referenced without ON UPDATE CASCADE', async () => {
    const em = await seed();
    await em.nativeUpdate(Shelf, { code: 'a1' }, { label: 'B' });
    await em.transactional(trx => trx.createQueryBuilder(Shelf).update({ label: 'C' }).where({ code: 'a1' }).execute());
    const shelf = await em.findOneOrFail(Shelf, { code: 'a1' });
    shelf.label = 'D';
    await em.flush();
    await unchanged();
    await expect(em.nativeUpdate(Rack, { code: 'r1' }, { code: 'r2' })).rejects.toThrow();
  });

  it('follows the cascade through rows whose own key holds the foreign key', async () => {
    const em = await seed();
    await expect(em.nativeUpdate(Aisle, { code: 'x' }, { code: 'y' })).rejects.toMatchObject({ code: 'AUDIT_KEY_CHANGE_CASCADES', entity: 'Aisle' });
    await expect(em.nativeUpdate(Aisle, { code: 'x' }, { code: 'y' })).rejects.toThrow(/Loan\.slot/);
  });
});
