import { ReferenceKind, type Configuration, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import { deleteRuleOf, type DeleteRule } from '../mikro-orm/deleteRule.js';

/** A relation whose foreign key makes the database change its rows when a referenced row is deleted. */
export interface Dependent {
  readonly meta: EntityMetadata;
  readonly prop: EntityProperty;
  readonly rule: DeleteRule;
}

/** How many levels of `ON DELETE CASCADE` chains are followed. */
export const MAX_CASCADE_DEPTH = 10;

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

  /** The relations along which deleting a `className` row makes the database change other rows. */
  dependentsOf(className: string): readonly Dependent[] {
    return this.#dependents.get(className) ?? [];
  }

  /** Whether deleting a `className` row can make the database change rows of an audited entity. */
  reachesAudited(className: string, audited: { has(className: string): boolean }): boolean {
    let reaches = this.#reaches.get(className);
    if (reaches === undefined) {
      reaches = this.#searchAudited(className, audited, 0);
      this.#reaches.set(className, reaches);
    }
    return reaches;
  }

  #searchAudited(className: string, audited: { has(className: string): boolean }, depth: number): boolean {
    if (depth > MAX_CASCADE_DEPTH) {
      return false;
    }
    return this.dependentsOf(className).some(
      ({ meta, rule }) => audited.has(meta.className) || (rule === 'cascade' && this.#searchAudited(meta.className, audited, depth + 1)),
    );
  }
}
