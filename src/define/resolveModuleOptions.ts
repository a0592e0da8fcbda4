import { AuditTrailConfigError } from '../errors/index.js';
import { DEFAULT_MODULE_OPTIONS, type AuditTrailModuleOptions, type SchemaCheckMode, type TrackField, type TriggerBackstopOptions } from './AuditTrailOptions.js';

/** The module options after defaults were applied and the values were checked. */
export interface ResolvedModuleOptions {
  readonly globalTrackFields: readonly TrackField[];
  readonly batchSize: number | undefined;
  readonly strict: boolean;
  readonly schemaCheck: SchemaCheckMode;
  readonly backstop: TriggerBackstopOptions | undefined;
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
  return Object.freeze({ globalTrackFields: Object.freeze([...globalTrackFields]), batchSize, strict, schemaCheck, backstop });
}
