import { ReferenceKind, type Configuration, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import { updateChangesRows } from '../mikro-orm/updateRule.js';
import { MAX_CASCADE_DEPTH } from './DatabaseCascades.js';

/** A relation whose rows the database changes when the key of the row it references changes. */
export interface KeyDependent {
  readonly meta: EntityMetadata;
  readonly prop: EntityProperty;
}

/**
 * Which relations the database updates when a referenced row's primary key changes (`ON UPDATE CASCADE`),
 * computed once per ORM. No MikroORM event reports those updates, so a key change that reaches an audited
 * entity is refused rather than left without history.
 */
export class KeyChangeCascades {
  readonly #dependents = new Map<string, KeyDependent[]>();

  constructor(metas: EntityMetadata[], config: Configuration) {
    for (const meta of metas) {
      for (const prop of meta.props) {
        const owning = prop.kind === ReferenceKind.MANY_TO_ONE || (prop.kind === ReferenceKind.ONE_TO_ONE && prop.owner);
        if (owning && prop.targetMeta && !meta.virtual && !meta.embeddable && updateChangesRows(prop, config)) {
          const target = prop.targetMeta.root.className;
          this.#dependents.set(target, [...(this.#dependents.get(target) ?? []), { meta, prop }]);
        }
      }
    }
  }

  /**
   * The first relation of an audited entity the database updates when a `className` row's key changes: directly,
   * or through rows whose own key holds the foreign key (their key changes in turn). `undefined` if none.
   */
  auditedDependent(className: string, audited: { has(className: string): boolean }, depth = 0): KeyDependent | undefined {
    if (depth > MAX_CASCADE_DEPTH) {
      return undefined;
    }
    for (const dependent of this.#dependents.get(className) ?? []) {
      if (audited.has(dependent.meta.className)) {
        return dependent;
      }
      const further = dependent.prop.primary ? this.auditedDependent(dependent.meta.root.className, audited, depth + 1) : undefined;
      if (further) {
        return further;
      }
    }
    return undefined;
  }
}
