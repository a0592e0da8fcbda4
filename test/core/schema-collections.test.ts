// An EntitySchema (the form defineEntity also builds) marked with auditTrail() whose owning many-to-many
// collection has no property `name` before discovery: withAuditTrail() crashed reading it.
import { expect, it } from 'vitest';
import type { Collection} from '@mikro-orm/core';
import { EntitySchema, ReferenceKind } from '@mikro-orm/core';
import { auditOfCollection, auditTrail } from '../../src/index.js';
import { refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

interface ILabel {
  id: number;
  name: string;
}
interface IParcel {
  id: number;
  labels: Collection<ILabel>;
}

const LabelSchema = new EntitySchema<ILabel>({
  name: 'SchemaLabel',
  properties: { id: { type: 'number', primary: true }, name: { type: 'string' } },
});
const ParcelSchema = auditTrail(
  new EntitySchema<IParcel>({
    name: 'SchemaParcel',
    properties: {
      id: { type: 'number', primary: true },
      labels: { kind: ReferenceKind.MANY_TO_MANY, entity: () => LabelSchema, owner: true },
    },
  }),
);

describeOnEachDatabase('an audited EntitySchema with a many-to-many collection', { file: import.meta.url, config: { entities: [ParcelSchema, LabelSchema] } }, ctx => {
  it('starts, and records the collection changes in its pivot audit table', async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork();
    const label = em.create(LabelSchema, { id: 1, name: 'fragile' });
    const parcel = em.create(ParcelSchema, { id: 1 });
    parcel.labels.add(label);
    await em.flush();
    const rows = await ctx.t.orm.em.fork().find(auditOfCollection(ParcelSchema, 'labels'), {});
    expect(rows.map(row => row._audit_change_type)).toEqual(['I']);
  });
});
