import { Reference, Utils, type EntityProperty, type Platform } from '@mikro-orm/core';
import { primaryKeyValues } from '../mikro-orm/entityKeys.js';

/**
 * Converts a track field's value to the parameter(s) of its column(s): custom types and dates go through the
 * same conversions MikroORM applies, and a reference column accepts an entity, a `Reference` or a key.
 */
export function toDatabaseValues(prop: EntityProperty, value: unknown, platform: Platform): unknown[] {
  if (value === null || value === undefined) {
    return prop.fieldNames.map(() => null);
  }
  if (prop.targetMeta) {
    const target = Reference.unwrapReference(value as object);
    if (Utils.isEntity(target)) {
      return primaryKeyValues(target) ?? prop.fieldNames.map(() => null);
    }
    return Array.isArray(value) ? value : [value];
  }
  return [toDatabaseValue(prop, value, platform)];
}

/** One scalar value converted as MikroORM would convert it for a query. */
export function toDatabaseValue(prop: EntityProperty, value: unknown, platform: Platform): unknown {
  let converted = value;
  if (prop.customType && converted !== null && converted !== undefined) {
    // As MikroORM converts an entity's value when it persists it (a JSON value becomes JSON text on every database).
    converted = prop.customType.convertToDatabaseValue(converted, platform, { mode: 'serialization', key: prop.name });
  }
  return converted instanceof Date ? platform.processDateProperty(converted) : converted;
}
