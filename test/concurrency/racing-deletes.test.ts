// Deletes racing other writers of the same rows, on two connections, under both isolation levels each server
// uses: a `D` row holds the state that was deleted, only rows that were deleted get one, an update of a row
// deleted first is not an error, and a child inserted while its parent is deleted is never deleted silently.
import { expect, it } from 'vitest';
import { IsolationLevel, type EntityManager } from '@mikro-orm/core';
import { AuditTrail, auditOf } from '../../src/index.js';
import { isolationLevelsOf } from '../support/isolation.js';
import { Entity, ManyToOne, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { isSerializationFailure, race, type RaceOutcome } from '../support/race.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';

@Entity()
@AuditTrail()
class Doc {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string' }) body!: string;
}

@Entity()
@AuditTrail()
class Folder {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
}

@Entity()
@AuditTrail()
class Page {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @ManyToOne(() => Folder, { deleteRule: 'cascade' }) folder!: Folder;
}

const DocAudit = auditOf(Doc);
const PageAudit = auditOf(Page);

describeOnEachDatabase('deletes racing other writers', { file: import.meta.url, config: { entities: [Doc, Folder, Page] }, databases: SERVER_DATABASES }, ctx => {
  const fork = () => ctx.t.orm.em.fork();
  const removeDoc = async (em: EntityManager) => {
    em.remove(await em.findOneOrFail(Doc, 1));
    await em.flush();
  };
  const editDoc = (body: string) => async (em: EntityManager) => {
    (await em.findOneOrFail(Doc, 1)).body = body;
    await em.flush();
  };

  async function freshDoc(): Promise<void> {
    await refreshSchema(ctx.t.orm);
    await fork().insert(Doc, { id: 1, body: 'draft' });
  }

  function expectCommittedOrRefused(outcome: RaceOutcome, isolationLevel: IsolationLevel): void {
    if (!outcome.committed) {
      expect(isolationLevel).toBe(IsolationLevel.REPEATABLE_READ);
      expect(ctx.db.name === 'postgresql' && isSerializationFailure(outcome)).toBe(true);
    }
  }

  it('writes one D row when two requests delete the same row', async () => {
    for (const isolationLevel of isolationLevelsOf(ctx.db)) {
      await freshDoc();
      const outcome = await race(fork, isolationLevel, removeDoc, async em => {
        em.remove(em.getReference(Doc, 1));
        await em.flush();
      });
      expectCommittedOrRefused(outcome, isolationLevel);
      expect(await fork().count(DocAudit, { _audit_change_type: 'D' })).toBe(1);
    }
  });

  it('gives the D row the state that was deleted, not one replaced while the delete waited', async () => {
    for (const isolationLevel of isolationLevelsOf(ctx.db)) {
      await freshDoc();
      // The waiter loaded the row before the holder changed it.
      const waiter = fork();
      const doc = await waiter.findOneOrFail(Doc, 1);
      const outcome = await race(fork, isolationLevel, editDoc('final'), async em => {
        em.remove(em.getReference(Doc, doc.id));
        await em.flush();
      });
      expectCommittedOrRefused(outcome, isolationLevel);
      const deletions = await fork().find(DocAudit, { _audit_change_type: 'D' });
      expect(deletions.map(row => row.body)).toEqual(outcome.committed ? ['final'] : []);
    }
  });

  it('lets an update of a row deleted first through, with no U row', async () => {
    for (const isolationLevel of isolationLevelsOf(ctx.db)) {
      await freshDoc();
      const outcome = await race(fork, isolationLevel, removeDoc, editDoc('late'));
      expectCommittedOrRefused(outcome, isolationLevel);
      expect((await fork().find(DocAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(row => row._audit_change_type)).toEqual(['I', 'D']);
      expect(await fork().count(Doc, {})).toBe(0);
    }
  });

  it('never lets the database cascade to a child inserted while its parent is deleted without a D row', async () => {
    for (const isolationLevel of isolationLevelsOf(ctx.db)) {
      await refreshSchema(ctx.t.orm);
      await fork().insert(Folder, { id: 1 });
      const outcome = await race(
        fork,
        isolationLevel,
        async em => {
          em.create(Page, { id: 1, folder: 1 });
          await em.flush();
        },
        async em => {
          em.remove(em.getReference(Folder, 1));
          await em.flush();
        },
      );
      expectCommittedOrRefused(outcome, isolationLevel);
      const pageHistory = (await fork().find(PageAudit, {}, { orderBy: { _audit_id: 'asc' } })).map(row => row._audit_change_type);
      const pages = await fork().count(Page, {});
      expect(pageHistory).toEqual(pages === 1 ? ['I'] : ['I', 'D']);
    }
  });
});
