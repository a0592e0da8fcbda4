import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';

/**
 * Makes MikroORM's serializers include the properties of `meta` whose names `include` accepts, though they start
 * with `_`. `toObject()`, `toJSON()` (so `JSON.stringify`) and `serialize()` leave out a `_`-prefixed property
 * unless it is a primary key or has an `accessor` (the backing field of a get/set pair, shown under its
 * `serializedName`). An accessor naming the property itself changes nothing else: discovery skips an accessor that
 * names an existing property, and the hydrator reads `accessor ?? name`. Set after discovery, so that no discovery
 * step sees it; the entity's prototype then gets no change-tracking setter for it, as for a primary key (audit rows
 * are never changed). test/history/serialization.test.ts fails if MikroORM 6 or 7 changes either rule.
 */
export function serializeUnderscored(meta: EntityMetadata, include: (name: string) => boolean): void {
  for (const prop of Object.values(meta.properties)) {
    if (prop.name.startsWith('_') && !prop.primary && prop.accessor === undefined && include(prop.name)) {
      prop.accessor = prop.name as EntityProperty['accessor'];
    }
  }
}

/**
 * Makes an audit column serialize as its source column does, so that history in JSON has the shape of the live
 * row: hidden when the source is hidden, under the same `serializedName`, in the same `groups`, and shown despite a
 * `_` name when the source is (a backing field with an `accessor`, shown under the accessor's name).
 */
export function serializeLike(copy: EntityProperty, source: EntityProperty): void {
  copy.hidden = source.hidden;
  copy.serializedName = source.serializedName;
  copy.groups = source.groups;
  // History columns can be NULL where the live one cannot: the live serializer only ever sees values.
  copy.serializer = source.serializer && nullSafe(source.serializer);
  if (source.accessor !== undefined && copy.accessor === undefined) {
    copy.accessor = copy.name as EntityProperty['accessor'];
  }
}

type Serializer = NonNullable<EntityProperty['serializer']>;

function nullSafe(serializer: Serializer): Serializer {
  return (value: unknown, ...rest: unknown[]): unknown => (value === null || value === undefined ? value : (serializer as (...args: unknown[]) => unknown)(value, ...rest));
}
