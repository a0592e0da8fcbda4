import type { EntityMetadata } from '@mikro-orm/core';
import type { AuditPlans } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import { plainValue } from '../read/plainValue.js';
import { keyString } from '../write/keyString.js';

/**
 * Refuses a write that sets the primary key of `meta` rows when the database would cascade the new key into
 * rows of an audited entity (`ON UPDATE CASCADE`), which would change without history. `data` is what the
 * write sets, by property or column name; `keys` are the keys of the rows it changes, when known (a key set to
 * the value it has is no change). A flush passes only its changed values and no keys.
 */
export function refuseCascadingKeyChange(meta: EntityMetadata, plans: AuditPlans, data: object, keys?: readonly unknown[][]): void {
  const set = data as Record<string, unknown>;
  const keyProps = meta.getPrimaryProps();
  const changed = keyProps.find((prop, i) => {
    const name = [prop.name, ...prop.fieldNames].find(candidate => candidate in set);
    if (name === undefined) {
      return false;
    }
    // Keys are compared only where each key property is one value; anything else counts as a change.
    const comparable = keys !== undefined && keys.every(key => key.length === keyProps.length);
    const value = keyString([plainValue(set[name])]);
    return !comparable || keys.some(key => keyString([key[i]]) !== value);
  });
  if (!changed) {
    return;
  }
  const dependent = plans.keyCascades.auditedDependent(meta.root.className, plans.bySource);
  if (dependent) {
    throw AuditTrailError.keyChangeCascades(meta.className, changed.name, dependent.meta.className, dependent.prop.name);
  }
}
