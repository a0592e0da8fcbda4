import { AuditTrailConfigError } from '../errors/index.js';
import {
  DEFAULT_MODULE_OPTIONS,
  type AuditTrailModuleOptions,
  type RequireActorMode,
  type ResolvedActorColumn,
  type SchemaCheckMode,
  type TrackField,
  type TriggerBackstopOptions,
} from './AuditTrailOptions.js';

/** The module options after defaults were applied and the values were checked. */
export interface ResolvedModuleOptions {
  readonly globalTrackFields: readonly TrackField[];
  readonly batchSize: number | undefined;
  readonly strict: boolean;
  readonly schemaCheck: SchemaCheckMode;
  readonly backstop: TriggerBackstopOptions | undefined;
  /** The built-in `_audit_actor` column; `undefined` with `actor: false`. */
  readonly actor: ResolvedActorColumn | undefined;
  readonly requireActor: RequireActorMode;
  /** The default of every entity's `tamperEvidence`. */
  readonly tamperEvidence: boolean;
}

/** Applies the defaults to the options of `withAuditTrail()` and checks every value. */
export function resolveModuleOptions(options: AuditTrailModuleOptions): ResolvedModuleOptions {
  const globalTrackFields: readonly TrackField[] = options.globalTrackFields ?? DEFAULT_MODULE_OPTIONS.globalTrackFields;
  if (!Array.isArray(globalTrackFields as unknown)) {
    throw AuditTrailConfigError.invalidModuleOption('globalTrackFields', 'an array', globalTrackFields);
  }
  const batchSize = options.batchSize;
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
    throw AuditTrailConfigError.invalidModuleOption('batchSize', 'a positive integer', batchSize);
  }
  const strict = options.strict ?? DEFAULT_MODULE_OPTIONS.strict;
  if (typeof strict !== 'boolean') {
    throw AuditTrailConfigError.invalidModuleOption('strict', 'a boolean', strict);
  }
  const schemaCheck = options.schemaCheck ?? DEFAULT_MODULE_OPTIONS.schemaCheck;
  if (!['warn', 'error', 'off'].includes(schemaCheck)) {
    throw AuditTrailConfigError.invalidModuleOption('schemaCheck', "'warn', 'error' or 'off'", schemaCheck);
  }
  const backstop = options.triggerBackstop === true ? {} : options.triggerBackstop || undefined;
  if (backstop !== undefined && (typeof backstop !== 'object' || (backstop.actorField !== undefined && typeof backstop.actorField !== 'string'))) {
    throw AuditTrailConfigError.invalidModuleOption('triggerBackstop', 'a boolean or { actorField?: string }', options.triggerBackstop);
  }
  const requireActor = options.requireActor ?? DEFAULT_MODULE_OPTIONS.requireActor;
  if (!['error', 'warn', false].includes(requireActor)) {
    throw AuditTrailConfigError.invalidModuleOption('requireActor', "'error', 'warn' or false", requireActor);
  }
  const tamperEvidence = options.tamperEvidence ?? DEFAULT_MODULE_OPTIONS.tamperEvidence;
  if (typeof tamperEvidence !== 'boolean') {
    throw AuditTrailConfigError.invalidModuleOption('tamperEvidence', 'a boolean', tamperEvidence);
  }
  const actor = resolveActor(options.actor);
  return Object.freeze({ globalTrackFields: Object.freeze([...globalTrackFields]), batchSize, strict, schemaCheck, backstop, actor, requireActor, tamperEvidence });
}

function resolveActor(option: AuditTrailModuleOptions['actor']): ResolvedActorColumn | undefined {
  if (option === false) {
    return undefined;
  }
  const expected = "false or { type?: 'string' | 'number', length?: positive integer (strings only) }";
  if (option !== undefined && (typeof option !== 'object' || option === null || Array.isArray(option))) {
    throw AuditTrailConfigError.invalidModuleOption('actor', expected, option);
  }
  const { type = DEFAULT_MODULE_OPTIONS.actor.type, length, ...unknown } = option ?? {};
  const badLength = length !== undefined && (type !== 'string' || !Number.isInteger(length) || length < 1);
  if (!['string', 'number'].includes(type) || badLength || Object.keys(unknown).length > 0) {
    throw AuditTrailConfigError.invalidModuleOption('actor', expected, option);
  }
  return Object.freeze({ type, length: type === 'string' ? (length ?? DEFAULT_MODULE_OPTIONS.actor.length) : undefined });
}
