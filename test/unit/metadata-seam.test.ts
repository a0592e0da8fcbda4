// src/mikro-orm/metadata.ts adds the audit columns without one `sync()` per property. This fails, on MikroORM 6
// and 7, if the metadata it leaves differs from what MikroORM's own `addProperty` leaves.
import { describe, expect, it } from 'vitest';
import { EntityMetadata, ReferenceKind, type EntityProperty } from '@mikro-orm/core';
import { addProperties } from '../../src/mikro-orm/metadata.js';

function base(): EntityMetadata {
  const meta = new EntityMetadata({ className: 'Sample', name: 'Sample' });
  meta.addProperty({ name: 'id', type: 'number', primary: true, kind: ReferenceKind.SCALAR } as EntityProperty);
  meta.addProperty({ name: 'title', type: 'string', kind: ReferenceKind.SCALAR } as EntityProperty);
  return meta;
}

const added = (): EntityProperty[] =>
  [
    { name: 'score', type: 'number', kind: ReferenceKind.SCALAR },
    { name: '_audit_id', type: 'bigint', primary: true, kind: ReferenceKind.SCALAR },
    { name: 'email', type: 'string', unique: true, kind: ReferenceKind.SCALAR },
    { name: 'author', type: 'Author', kind: ReferenceKind.MANY_TO_ONE },
  ] as EntityProperty[];

const shape = (meta: EntityMetadata) => ({
  props: meta.props.map(prop => prop.name),
  order: [...meta.propertyOrder.entries()].sort(([a], [b]) => a.localeCompare(b)),
  relations: meta.relations.map(prop => prop.name),
  unique: meta.uniqueProps.map(prop => prop.name),
  hydrate: meta.hydrateProps.map(prop => prop.name),
  tracking: meta.trackingProps.map(prop => prop.name),
  comparable: meta.comparableProps.map(prop => prop.name),
  properties: Object.keys(meta.properties),
});

describe('addProperties', () => {
  it("leaves the metadata exactly as one addProperty() per property does", () => {
    const oneByOne = base();
    added().forEach(prop => oneByOne.addProperty(prop));
    const batched = base();
    addProperties(batched, added());
    expect(shape(batched)).toEqual(shape(oneByOne));
    expect(shape(batched).props).toEqual(['id', '_audit_id', 'title', 'score', 'email', 'author']);
  });

  it('calls sync() once, not once per property', () => {
    const meta = base();
    let syncs = 0;
    const sync = meta.sync.bind(meta);
    meta.sync = ((...args: Parameters<EntityMetadata['sync']>) => {
      syncs++;
      return sync(...args);
    }) as EntityMetadata['sync'];
    addProperties(meta, added());
    expect(syncs).toBe(1);
  });
});
