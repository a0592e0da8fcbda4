import type { EntityManager, EntityMetadata } from '@mikro-orm/core';
import { qualifiedTableName, type AuditPlan, type AuditPlans } from '../discover/AuditPlan.js';
import { MAX_CASCADE_DEPTH, type Dependent } from '../discover/DatabaseCascades.js';
import type { SqlNames } from '../sql/SqlStatement.js';
import { keyString } from './keyString.js';
import { selectByKeys } from './selectByKeys.js';

/** Rows the database is about to change because of a delete, by audited entity. */
export interface CascadedRows {
  /** Rows it will delete (`ON DELETE CASCADE`), to snapshot as `D` now. */
  readonly deleted: Map<AuditPlan, unknown[][]>;
  /** Rows whose key it will null (`ON DELETE SET NULL`), to snapshot as `U` once the delete ran. */
  readonly nulled: Map<AuditPlan, unknown[][]>;
}

/**
 * Finds, inside the transaction and before the delete runs, the rows of audited entities that deleting `roots`
 * makes the database delete or update, following cascades level by level (one query per relation and level).
 * Rows the write changes itself (`changesItself`) get their own audit rows and are left out.
 */
export async function findCascadedRows(
  em: EntityManager,
  transaction: object,
  plans: AuditPlans,
  roots: readonly { meta: EntityMetadata; keys: unknown[][] }[],
  changesItself: (className: string, key: readonly unknown[]) => boolean,
): Promise<CascadedRows> {
  const result: CascadedRows = { deleted: new Map(), nulled: new Map() };
  const seen = new Set<string>();
  let level = roots.filter(root => root.keys.length > 0);
  for (let depth = 0; level.length > 0 && depth <= MAX_CASCADE_DEPTH; depth++) {
    const next: { meta: EntityMetadata; keys: unknown[][] }[] = [];
    for (const { meta, keys } of level) {
      for (const dependent of plans.cascades.dependentsOf(meta.root.className)) {
        const found = (await referencingKeys(em, transaction, plans.names, dependent, keys)).filter(key => {
          const id = `${dependent.meta.className}\u0000${keyString(key)}`;
          const fresh = !seen.has(id);
          seen.add(id);
          return fresh;
        });
        const plan = plans.bySource.get(dependent.meta.className);
        const recorded = plan ? found.filter(key => !changesItself(dependent.meta.className, key)) : [];
        if (plan && recorded.length > 0) {
          const target = dependent.rule === 'cascade' ? result.deleted : result.nulled;
          target.set(plan, [...(target.get(plan) ?? []), ...recorded]);
        }
        if (dependent.rule === 'cascade' && found.length > 0) {
          next.push({ meta: dependent.meta, keys: found });
        }
      }
    }
    level = next;
  }
  return result;
}

/**
 * The primary keys (as database values) of `dependent`'s rows that reference one of `keys`, locked: their `D`
 * snapshot is then the state the database deletes, and no other writer changes them before it does.
 */
function referencingKeys(em: EntityManager, transaction: object, names: SqlNames, { meta, prop }: Dependent, keys: unknown[][]): Promise<unknown[][]> {
  const keyColumns = meta.getPrimaryProps().flatMap(key => key.fieldNames);
  return selectByKeys(em, transaction, names, qualifiedTableName(meta, em.getPlatform()), prop.fieldNames, keys, keyColumns, true);
}
