import { Utils } from '@mikro-orm/core';
import { AUDIT_PREFIX } from '../define/AuditColumns.js';
import { findDefinitionByAuditClass, sourceNameOf, type AuditDefinition } from '../define/AuditRegistry.js';
import { AuditTrailError } from '../errors/index.js';
import { plainValue } from './plainValue.js';

/** One changed field: its value in the older version and in the newer one (relations as their key). */
export interface FieldChange {
  readonly from: unknown;
  readonly to: unknown;
}

/** The fields that differ between two versions of a row, by property name. */
export type VersionDiff<T extends object = object> = { readonly [K in Extract<keyof T, string>]?: FieldChange };

/**
 * What changed between two audit rows of the same entity: `{ total: { from: 100, to: 150 } }`, changed fields
 * only. Relations compare (and are reported) by primary key, dates by instant, JSON by value. Audit columns and
 * track fields describe the change, not the row, and are left out. `older` may be `null` (the first version).
 */
export function diffVersions<T extends object>(older: T | null, newer: T): VersionDiff<T> {
  const definition = definitionOf(newer, 'newer');
  if (older !== null && definitionOf(older, 'older') !== definition) {
    throw AuditTrailError.differentEntities(`${sourceNameOf(definitionOf(older, 'older').source)}Audit`, `${sourceNameOf(definition.source)}Audit`);
  }
  const skipped = definition.trackFieldNames ?? new Set<string>();
  const names = new Set([...Object.keys(older ?? {}), ...Object.keys(newer)]);
  const diff: Record<string, FieldChange> = {};
  for (const name of names) {
    if (name.startsWith(AUDIT_PREFIX) || skipped.has(name)) {
      continue;
    }
    const from = plainValue(older ? (older as Record<string, unknown>)[name] : null);
    const to = plainValue((newer as Record<string, unknown>)[name]);
    if (!Utils.equals(normalised(from), normalised(to))) {
      diff[name] = { from, to };
    }
  }
  return diff as VersionDiff<T>;
}

function definitionOf(row: object, which: string): AuditDefinition {
  const definition = typeof row === 'object' && row !== null ? findDefinitionByAuditClass(row.constructor) : undefined;
  if (!definition) {
    throw AuditTrailError.notAnAuditRow('diffVersions()', which);
  }
  return definition;
}

function normalised(value: unknown): unknown {
  return value instanceof Date ? value.getTime() : value;
}
