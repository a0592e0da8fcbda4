import { Cascade, ReferenceKind, type Configuration, type EntityManager, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import { qualifiedTableName, type AuditPlan, type AuditPlans } from './AuditPlan.js';
import { selectByKeys } from '../write/selectByKeys.js';
import { keyString } from '../write/keyString.js';
import { ormMajorVersion } from '../mikro-orm/metadata.js';

/** What the database does to a referencing row when the row it references is deleted. */
type DeleteRule = 'cascade' | 'set null';

/** A relation whose foreign key makes the database change its rows when a referenced row is deleted. */
interface Dependent {
  readonly meta: EntityMetadata;
  readonly prop: EntityProperty;
  readonly rule: DeleteRule;
}

/** Rows the database is about to change because of a delete, by audited entity. */
export interface CascadedRows {
  /** Rows it will delete (`ON DELETE CASCADE`), to snapshot as `D` now. */
  readonly deleted: Map<AuditPlan, unknown[][]>;
  /** Rows whose key it will null (`ON DELETE SET NULL`), to snapshot as `U` once the delete ran. */
  readonly nulled: Map<AuditPlan, unknown[][]>;
}

const MAX_DEPTH = 10;

/** The foreign-key delete rule MikroORM's schema generator gives a relation's constraint, if it changes rows. */
export function deleteRuleOf(prop: EntityProperty, config: Configuration): DeleteRule | undefined {
  const generator = config.get('schemaGenerator');
  if (prop.createForeignKeyConstraint === false || generator.createForeignKeyConstraints === false) {
    return undefined;
  }
  let rule = prop.deleteRule;
  if (!rule && ormMajorVersion() >= 7) {
    // MikroORM 7 gives nullable relations `set null` during discovery, and the rest the configured default.
    rule = (generator as { defaultDeleteRule?: string }).defaultDeleteRule;
  } else if (!rule) {
    // MikroORM 6 decides when it generates the schema.
    const cascades = prop.cascade?.includes(Cascade.REMOVE) || prop.cascade?.includes(Cascade.ALL);
    rule = cascades ? 'cascade' : prop.nullable ? 'set null' : undefined;
  }
  const normalised = rule?.toLowerCase();
  return normalised === 'cascade' || normalised === 'set null' ? normalised : undefined;
}

/**
 * Which relations point at which entity with a rule that changes rows, computed once per ORM: the database
 * follows them when a row is deleted, without MikroORM (and so without any entity event) knowing.
 */
export class DatabaseCascades {
  readonly #dependents = new Map<string, Dependent[]>();
  // Asked once per deleted row of a flush: answered once per entity.
  readonly #reaches = new Map<string, boolean>();

  constructor(metas: EntityMetadata[], config: Configuration) {
    for (const meta of metas) {
      for (const prop of meta.props) {
        const owning = prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner);
        const rule = owning && prop.targetMeta ? deleteRuleOf(prop, config) : undefined;
        if (rule && !meta.virtual && !meta.embeddable) {
          const target = prop.targetMeta!.root.className;
          this.#dependents.set(target, [...(this.#dependents.get(target) ?? []), { meta, prop, rule }]);
        }
      }
    }
  }

  /** Whether deleting a `className` row can make the database change rows of an audited entity. */
  reachesAudited(className: string, plans: AuditPlans): boolean {
    let reaches = this.#reaches.get(className);
    if (reaches === undefined) {
      reaches = this.#searchAudited(className, plans, 0);
      this.#reaches.set(className, reaches);
    }
    return reaches;
  }

  #searchAudited(className: string, plans: AuditPlans, depth: number): boolean {
    if (depth > MAX_DEPTH) {
      return false;
    }
    return (this.#dependents.get(className) ?? []).some(
      ({ meta, rule }) => plans.bySource.has(meta.className) || (rule === 'cascade' && this.#searchAudited(meta.className, plans, depth + 1)),
    );
  }

  /**
   * Finds, inside the transaction and before the delete runs, the rows of audited entities that deleting `roots`
   * makes the database delete or update, following cascades level by level (one query per relation and level).
   * Rows this flush changes itself (`handled`) get their own audit rows and are left out.
   */
  async find(
    em: EntityManager,
    transaction: object,
    plans: AuditPlans,
    roots: readonly { meta: EntityMetadata; keys: unknown[][] }[],
    handled: (className: string, key: readonly unknown[]) => boolean,
  ): Promise<CascadedRows> {
    const result: CascadedRows = { deleted: new Map(), nulled: new Map() };
    const seen = new Set<string>();
    let level = roots.filter(root => root.keys.length > 0);
    for (let depth = 0; level.length > 0 && depth <= MAX_DEPTH; depth++) {
      const next: { meta: EntityMetadata; keys: unknown[][] }[] = [];
      for (const { meta, keys } of level) {
        for (const dependent of this.#dependents.get(meta.root.className) ?? []) {
          const found = (await referencingKeys(em, transaction, dependent, keys)).filter(key => {
            const id = `${dependent.meta.className}\u0000${keyString(key)}`;
            const fresh = !seen.has(id);
            seen.add(id);
            return fresh;
          });
          if (found.length === 0) {
            continue;
          }
          const plan = plans.bySource.get(dependent.meta.className);
          const recorded = plan ? found.filter(key => !handled(dependent.meta.className, key)) : [];
          if (plan && recorded.length > 0) {
            const target = dependent.rule === 'cascade' ? result.deleted : result.nulled;
            target.set(plan, [...(target.get(plan) ?? []), ...recorded]);
          }
          if (dependent.rule === 'cascade') {
            next.push({ meta: dependent.meta, keys: found });
          }
        }
      }
      level = next;
    }
    return result;
  }
}

/** The primary keys (as database values) of `dependent`'s rows that reference one of `keys`. */
function referencingKeys(em: EntityManager, transaction: object, { meta, prop }: Dependent, keys: unknown[][]): Promise<unknown[][]> {
  const keyColumns = meta.getPrimaryProps().flatMap(key => key.fieldNames);
  return selectByKeys(em, transaction, qualifiedTableName(meta, em.getPlatform()), prop.fieldNames, keys, keyColumns);
}
