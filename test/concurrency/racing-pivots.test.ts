// Two requests changing the same owner's many-to-many collection at once, each with its own actor: every pivot
// row in history is attributed to the request that added or removed it, never to the one that happened to read
// the collection before and after.
import { expect, it } from 'vitest';
import { Collection, type EntityManager } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditOfCollection } from '../../src/index.js';
import { isolationLevelsOf } from '../support/isolation.js';
import { Entity, ManyToMany, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { isSerializationFailure, race } from '../support/race.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';

@Entity()
class Label {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
}

@Entity()
@AuditTrail({ trackFields: [{ name: 'actor', type: 'string', value: ({ context }) => context?.user ?? null }] })
class Parcel {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string' }) note!: string;
  @ManyToMany(() => Label) labels = new Collection<Label>(this);
}

const ParcelLabelsAudit = auditOfCollection(Parcel, 'labels');

describeOnEachDatabase('collections racing each other', { file: import.meta.url, config: { entities: [Label, Parcel] }, databases: SERVER_DATABASES }, ctx => {
  // Each request adds its own label and rewrites the note: the second waits for the first's row lock.
  const addLabel = (user: string, label: number) => (em: EntityManager) =>
    auditContext.run({ user }, async () => {
      const parcel = await em.findOneOrFail(Parcel, 1, { populate: ['labels'] });
      parcel.labels.add(em.getReference(Label, label));
      parcel.note = `by ${user}`;
      await em.flush();
    });

  it('attributes each pivot row to the request that added it', async () => {
    for (const isolationLevel of isolationLevelsOf(ctx.db)) {
      await refreshSchema(ctx.t.orm);
      const seed = ctx.t.orm.em.fork();
      seed.create(Label, { id: 1 });
      seed.create(Label, { id: 2 });
      seed.create(Parcel, { id: 1, note: 'new' });
      await seed.flush();
      const outcome = await race(() => ctx.t.orm.em.fork(), isolationLevel, addLabel('ann', 1), addLabel('bob', 2));
      if (!outcome.committed) {
        expect(isSerializationFailure(outcome)).toBe(true);
      }
      const rows = await ctx.t.orm.em.fork().find(ParcelLabelsAudit, {}, { orderBy: { _audit_id: 'asc' } });
      const history = rows.map(row => [(row.Label_inverse as Label).id, row._audit_change_type, row.actor]);
      expect(history).toEqual(outcome.committed ? [[1, 'I', 'ann'], [2, 'I', 'bob']] : [[1, 'I', 'ann']]);
    }
  });
});
