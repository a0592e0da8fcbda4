import { AuditTrailConfigError } from '../errors/index.js';
import {
  DEFAULT_OPTIONS,
  type AuditTrailOptions,
  type MaskFunction,
  type ResolvedAuditTrailOptions,
  type TrackField,
} from './AuditTrailOptions.js';

const KNOWN_OPTIONS = Object.keys(DEFAULT_OPTIONS);

/** What the module options give every entity's options. */
export interface ModuleDefaults {
  readonly globalTrackFields: readonly TrackField[];
  /** The default of `tamperEvidence`. */
  readonly tamperEvidence: boolean;
}

/**
 * Applies the defaults to one entity's options and checks every value, so a typo in plain JavaScript or a
 * wrongly typed value fails at `MikroORM.init` instead of producing a half-configured audit table.
 */
export function resolveOptions(
  entity: string,
  options: AuditTrailOptions | undefined,
  module: ModuleDefaults,
): ResolvedAuditTrailOptions {
  const raw = (options ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw AuditTrailConfigError.invalidOption(entity, 'options', 'an object', raw);
  }
  for (const key of Object.keys(raw)) {
    if (!KNOWN_OPTIONS.includes(key)) {
      throw AuditTrailConfigError.unknownOption(entity, key, KNOWN_OPTIONS);
    }
  }
  const resolved = { ...DEFAULT_OPTIONS, tamperEvidence: module.tamperEvidence, ...stripUndefined(raw) };
  for (const flag of ['saveChangeType', 'auditDeletes', 'showInAdmin', 'skipUnchanged', 'tamperEvidence'] as const) {
    if (typeof resolved[flag] !== 'boolean') {
      throw AuditTrailConfigError.invalidOption(entity, flag, 'a boolean', resolved[flag]);
    }
  }
  if (resolved.tableName !== undefined && (typeof resolved.tableName !== 'string' || resolved.tableName === '')) {
    throw AuditTrailConfigError.invalidOption(entity, 'tableName', 'a non-empty string', resolved.tableName);
  }
  const drop: unknown = resolved.dropRemovedColumns;
  if (typeof drop !== 'boolean' && !(Array.isArray(drop) && drop.every((column: unknown) => typeof column === 'string' && column !== ''))) {
    throw AuditTrailConfigError.invalidOption(entity, 'dropRemovedColumns', 'a boolean or an array of column names', drop);
  }
  const exclude: unknown = resolved.exclude;
  if (!Array.isArray(exclude) || !exclude.every((name: unknown) => typeof name === 'string' && name !== '')) {
    throw AuditTrailConfigError.invalidOption(entity, 'exclude', 'an array of property names', exclude);
  }
  const mask: unknown = resolved.mask;
  if (typeof mask !== 'object' || mask === null || Array.isArray(mask)) {
    throw AuditTrailConfigError.invalidOption(entity, 'mask', 'an object of property name → function', mask);
  }
  for (const [name, fn] of Object.entries(mask)) {
    if (typeof fn !== 'function') {
      throw AuditTrailConfigError.invalidOption(entity, `mask.${name}`, 'a function (value) => masked value', fn);
    }
  }
  const trackFields = resolveTrackFields(entity, resolved.trackFields, module.globalTrackFields);
  return Object.freeze({
    saveChangeType: resolved.saveChangeType as boolean,
    auditDeletes: resolved.auditDeletes as boolean,
    showInAdmin: resolved.showInAdmin as boolean,
    tableName: resolved.tableName as string | undefined,
    trackFields,
    dropRemovedColumns: typeof drop === 'boolean' ? drop : Object.freeze([...(drop as string[])]),
    exclude: Object.freeze([...(exclude as string[])]),
    mask: Object.freeze({ ...(mask as Record<string, MaskFunction>) }),
    skipUnchanged: resolved.skipUnchanged as boolean,
    tamperEvidence: resolved.tamperEvidence,
  });
}

// The global track fields, then the entity's own, each checked, every name once.
function resolveTrackFields(entity: string, own: unknown, globalTrackFields: readonly TrackField[]): readonly TrackField[] {
  if (!Array.isArray(own)) {
    throw AuditTrailConfigError.invalidOption(entity, 'trackFields', 'an array', own);
  }
  const trackFields = [...globalTrackFields, ...(own as unknown[])];
  trackFields.forEach(field => checkTrackField(entity, field));
  const names = new Set<string>();
  for (const field of trackFields as TrackField[]) {
    if (names.has(field.name)) {
      throw AuditTrailConfigError.duplicateTrackField(entity, field.name);
    }
    names.add(field.name);
  }
  return Object.freeze(trackFields as TrackField[]);
}

function checkTrackField(entity: string, field: unknown): asserts field is TrackField {
  if (typeof field !== 'object' || field === null) {
    throw AuditTrailConfigError.invalidOption(entity, 'trackFields[]', 'an object { name, type | entity, value }', field);
  }
  const { name, type, entity: target, nullable, length } = field as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') {
    throw AuditTrailConfigError.invalidOption(entity, 'trackFields[].name', 'a non-empty string', name);
  }
  if (!('value' in field)) {
    throw AuditTrailConfigError.invalidOption(entity, `trackFields['${name}'].value`, 'a constant or a function', undefined);
  }
  if (type === undefined && target === undefined) {
    throw AuditTrailConfigError.trackFieldWithoutType(entity, name);
  }
  if (type !== undefined && target !== undefined) {
    throw AuditTrailConfigError.trackFieldWithTypeAndEntity(entity, name);
  }
  if (target !== undefined && typeof target !== 'function') {
    throw AuditTrailConfigError.invalidOption(entity, `trackFields['${name}'].entity`, 'a function such as () => User', target);
  }
  if (nullable !== undefined && typeof nullable !== 'boolean') {
    throw AuditTrailConfigError.invalidOption(entity, `trackFields['${name}'].nullable`, 'a boolean', nullable);
  }
  if (length !== undefined && (typeof length !== 'number' || !Number.isInteger(length) || length <= 0)) {
    throw AuditTrailConfigError.invalidOption(entity, `trackFields['${name}'].length`, 'a positive integer', length);
  }
}

function stripUndefined(raw: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
}
