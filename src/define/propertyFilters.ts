import { ReferenceKind, type EntityMetadata, type EntityProperty } from '@mikro-orm/core';
import type { ResolvedAuditTrailOptions } from './AuditTrailOptions.js';
import { isCopied } from './auditProperties.js';
import { AuditTrailConfigError } from '../errors/index.js';

type Filters = Pick<ResolvedAuditTrailOptions, 'exclude' | 'mask'>;

/** Whether `exclude` keeps this property (or the embeddable it belongs to) out of the audit table. */
export function isExcluded(prop: Pick<EntityProperty, 'name' | 'embedded'>, { exclude }: Filters): boolean {
  return exclude.includes(prop.name) || (!!prop.embedded && exclude.includes(prop.embedded[0]));
}

/** Whether the audit row stores this property's value through its `mask` function. */
export function isMasked(prop: Pick<EntityProperty, 'name'>, { mask }: Filters): boolean {
  return Object.hasOwn(mask, prop.name);
}

/** Checks `exclude` and `mask` against the processed source entity. */
export function validateFilters(source: EntityMetadata, options: Filters): void {
  const known = source.props.filter(prop => isCopied(prop) && !prop.embedded).map(prop => prop.name);
  const check = (option: string, name: string): EntityProperty => {
    const prop = source.properties[name] as EntityProperty | undefined;
    if (!prop || !isCopied(prop)) {
      throw AuditTrailConfigError.unknownProperty(source.className, option, name, known);
    }
    if (prop.primary) {
      throw AuditTrailConfigError.primaryKeyFiltered(source.className, option, name);
    }
    return prop;
  };
  options.exclude.forEach(name => check('exclude', name));
  for (const name of Object.keys(options.mask)) {
    const prop = check('mask', name);
    if (prop.kind !== ReferenceKind.SCALAR || prop.fieldNames.length !== 1) {
      throw AuditTrailConfigError.maskedRelation(source.className, name);
    }
    if (options.exclude.includes(name)) {
      throw AuditTrailConfigError.maskedAndExcluded(source.className, name);
    }
  }
}

/**
 * The properties whose change makes an update worth a `U` row: copied, not excluded, and not changed by MikroORM
 * on every update anyway (version and `onUpdate` columns).
 */
export function auditedPropertyNames(source: EntityMetadata, options: Filters): ReadonlySet<string> {
  const names = new Set<string>();
  for (const prop of source.props) {
    if (isCopied(prop) && !isExcluded(prop, options) && !prop.version && !prop.onUpdate) {
      names.add(prop.name);
      if (prop.embedded) {
        names.add(prop.embedded[0]);
      }
    }
  }
  return names;
}
