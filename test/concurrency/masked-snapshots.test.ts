// on MariaDB/MySQL REPEATABLE READ (the default) the rows a write deletes are locked and
// copied with locking reads (the latest committed state), but masked values are read with a plain SELECT, which
// reads the transaction's snapshot. A row committed by another request after that snapshot was taken is locked
// and deleted, yet the masked read cannot see it: the delete fails with AUDIT_SNAPSHOT_MISSING ("a bug of
// mikro-orm-audit-trail"), where the plain application deletes it. A row updated after the snapshot gets a D
// row whose masked value belongs to an older state than its other columns.
import { expect, it } from 'vitest';
import { IsolationLevel } from '@mikro-orm/core';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, ManyToOne, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';

@Entity()
@AuditTrail({ mask: { secret: (value: unknown) => `***${String(value).slice(-2)}` } })
class Card {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string' }) body!: string;
  @Property({ type: 'string' }) secret!: string;
}

@Entity()
class Wallet {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
}

@Entity()
@AuditTrail({ mask: { pin: (value: unknown) => `***${String(value).slice(-1)}` } })
class Pass {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @ManyToOne(() => Wallet, { deleteRule: 'cascade' }) wallet!: Wallet;
  @Property({ type: 'string' }) pin!: string;
}

const CardAudit = auditOf(Card);
const PassAudit = auditOf(Pass);

describeOnEachDatabase(
  'masked values of deleted rows under REPEATABLE READ',
  { file: import.meta.url, config: { entities: [Card, Wallet, Pass] }, databases: SERVER_DATABASES.filter(db => db.name === 'mariadb') },
  ctx => {
    const fork = () => ctx.t.orm.em.fork();
    const isolationLevel = IsolationLevel.REPEATABLE_READ;

    it('deletes (flush) a row committed by another request after the transaction read something', async () => {
      await refreshSchema(ctx.t.orm);
      await fork().transactional(async em => {
        await em.count(Card, {}); // the request reads first: its snapshot starts here
        await fork().insert(Card, { id: 1, body: 'b', secret: 'pin-11' }); // another request, committed
        em.remove(em.getReference(Card, 1));
        await em.flush();
      }, { isolationLevel });
      expect(await fork().count(Card, {})).toBe(0);
      expect((await fork().find(CardAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(r => r._audit_change_type)).toEqual(['I', 'D']);
    });

    it('deletes (nativeDelete) a row committed by another request after the transaction read something', async () => {
      await refreshSchema(ctx.t.orm);
      await fork().transactional(async em => {
        await em.count(Card, {});
        await fork().insert(Card, { id: 1, body: 'b', secret: 'pin-11' });
        expect(await em.nativeDelete(Card, { id: 1 })).toBe(1);
      }, { isolationLevel });
      expect((await fork().find(CardAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(r => r._audit_change_type)).toEqual(['I', 'D']);
    });

    it('deletes a parent whose child, inserted by another request after the snapshot, the database cascades to', async () => {
      await refreshSchema(ctx.t.orm);
      await fork().insert(Wallet, { id: 1 });
      await fork().transactional(async em => {
        await em.count(Wallet, {});
        await fork().insert(Pass, { id: 1, wallet: 1, pin: '1234' });
        em.remove(em.getReference(Wallet, 1));
        await em.flush();
      }, { isolationLevel });
      expect(await fork().count(Pass, {})).toBe(0);
      expect((await fork().find(PassAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(r => r._audit_change_type)).toEqual(['I', 'D']);
    });

    it('gives a D row the masked value of the state it deleted, like its other columns', async () => {
      await refreshSchema(ctx.t.orm);
      await fork().insert(Card, { id: 1, body: 'old', secret: 'pin-11' });
      await fork().transactional(async em => {
        await em.count(Card, {});
        await fork().nativeUpdate(Card, { id: 1 }, { body: 'new', secret: 'pin-22' });
        em.remove(em.getReference(Card, 1));
        await em.flush();
      }, { isolationLevel });
      const deleted = await fork().findOneOrFail(CardAudit, { _audit_change_type: 'D' });
      expect([deleted.body, deleted.secret]).toEqual(['new', '***22']);
    });
  },
);
