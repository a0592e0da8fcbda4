import { Reference, Utils, wrap } from '@mikro-orm/core';

/** A version's value as plain data: a relation (entity or reference) becomes its key, a missing value `null`. */
export function plainValue(value: unknown): unknown {
  if (value === undefined || value === null) {
    return null;
  }
  const target = Reference.isReference(value) ? value.unwrap() : value;
  return Utils.isEntity(target) ? wrap(target, true).getPrimaryKey() : value;
}
