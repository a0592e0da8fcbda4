import { Reference, Utils } from '@mikro-orm/core';
import { primaryKeyOf } from '../mikro-orm/entityKeys.js';

/** A version's value as plain data: a relation (entity or reference) becomes its key, a missing value `null`. */
export function plainValue(value: unknown): unknown {
  if (value === undefined || value === null) {
    return null;
  }
  const target = Reference.isReference(value) ? value.unwrap() : value;
  return Utils.isEntity(target) ? primaryKeyOf(target) : value;
}
