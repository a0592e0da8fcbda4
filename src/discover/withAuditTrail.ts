import { EntitySchema, type EventSubscriber, type MetadataDiscoveryOptions } from '@mikro-orm/core';
import { AuditDiscovery } from './AuditDiscovery.js';
import { AuditWriteGuard } from '../write/AuditWriteGuard.js';
import { findDefinition } from '../define/AuditRegistry.js';
import { DEFAULT_MODULE_OPTIONS, type AuditTrailModuleOptions, type TrackField } from '../define/AuditTrailOptions.js';
import { AuditTrailSubscriber } from '../capture/AuditTrailSubscriber.js';
import { auditOf } from '../define/auditOf.js';
import { pivotAuditsOf } from '../define/auditOfCollection.js';
import { AuditTrailConfigError } from '../errors/errors.js';

/** The parts of a MikroORM config that `withAuditTrail` reads and extends. */
export interface AuditableConfig {
  entities?: readonly unknown[];
  entitiesTs?: readonly unknown[];
  subscribers?: Iterable<unknown>;
  discovery?: MetadataDiscoveryOptions;
  onQuery?: (sql: string, params: unknown[]) => string;
}

/**
 * Adds the audit trail to a MikroORM config: the audit entity of every `@AuditTrail()` entity listed in
 * `entities`, the discovery hooks that build and check them, and the subscriber that writes history.
 * Calling it on a config that already has the audit trail returns that config unchanged.
 *
 * @example
 * const orm = await MikroORM.init(withAuditTrail({ entities: [Person], dbName: 'app.db' }, {
 *   globalTrackFields: [{ name: 'username', type: 'string', value: () => auditContext.current()?.user ?? null }],
 * }));
 */
export function withAuditTrail<C extends AuditableConfig>(config: C, options: AuditTrailModuleOptions = {}): C {
  if ([...(config.subscribers ?? [])].some(subscriber => subscriber instanceof AuditTrailSubscriber)) {
    return config;
  }
  const globalTrackFields: readonly TrackField[] = options.globalTrackFields ?? DEFAULT_MODULE_OPTIONS.globalTrackFields;
  const batchSize = options.batchSize;
  if (!Array.isArray(globalTrackFields as unknown)) {
    throw AuditTrailConfigError.invalidOption('withAuditTrail()', 'globalTrackFields', 'an array', globalTrackFields);
  }
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
    throw AuditTrailConfigError.invalidOption('withAuditTrail()', 'batchSize', 'a positive integer', batchSize);
  }

  const strict = options.strict ?? DEFAULT_MODULE_OPTIONS.strict;
  if (typeof strict !== 'boolean') {
    throw AuditTrailConfigError.invalidOption('withAuditTrail()', 'strict', 'a boolean', strict);
  }
  const guard = new AuditWriteGuard(strict);
  const schemaCheck = options.schemaCheck ?? DEFAULT_MODULE_OPTIONS.schemaCheck;
  if (!['warn', 'error', 'off'].includes(schemaCheck)) {
    throw AuditTrailConfigError.invalidOption('withAuditTrail()', 'schemaCheck', "'warn', 'error' or 'off'", schemaCheck);
  }
  const backstop = options.triggerBackstop === true ? {} : options.triggerBackstop || undefined;
  if (backstop !== undefined && (typeof backstop !== 'object' || (backstop.actorField !== undefined && typeof backstop.actorField !== 'string'))) {
    throw AuditTrailConfigError.invalidOption('withAuditTrail()', 'triggerBackstop', 'a boolean or { actorField?: string }', options.triggerBackstop);
  }
  const discovery = new AuditDiscovery(Object.freeze([...globalTrackFields]), batchSize, guard, schemaCheck, backstop);
  const entities = config.entities && withAuditEntities(config.entities);
  const entitiesTs = config.entitiesTs && withAuditEntities(config.entitiesTs);
  const subscriber = new AuditTrailSubscriber(discovery);
  const userDiscovery = config.discovery ?? {};
  const userOnQuery = config.onQuery;

  return {
    ...config,
    ...(entities && { entities }),
    ...(entitiesTs && { entitiesTs }),
    subscribers: [...(config.subscribers ?? []), subscriber as EventSubscriber],
    // Every statement MikroORM sends passes here: writes to audit tables from anywhere but the library fail.
    onQuery: (sql: string, params: unknown[]) => {
      guard.check(sql);
      guard.checkSource(sql);
      return userOnQuery ? userOnQuery(sql, params) : sql;
    },
    discovery: {
      ...userDiscovery,
      onMetadata: async (meta, platform) => {
        await userDiscovery.onMetadata?.(meta, platform);
        discovery.onMetadata(meta, platform);
      },
      afterDiscovered: async (storage, platform) => {
        await discovery.afterDiscovered(storage, platform);
        await userDiscovery.afterDiscovered?.(storage, platform);
      },
    },
  };
}

// Appends `auditOf(entity)` for each audited entity that is listed, unless the user listed it already.
// MikroORM rejects two entities with one name before any hook runs, so a taken audit name is caught here.
function withAuditEntities(entities: readonly unknown[]): unknown[] {
  const result = [...entities];
  const names = new Map(entities.filter(e => typeof e !== 'string').map(e => [entityName(e as object), e]));
  for (const entity of entities) {
    if (typeof entity === 'string' || !findDefinition(entity as object)) {
      continue;
    }
    const audit = auditOf(entity as EntitySchema);
    const taken = names.get(audit.meta.className);
    if (taken !== undefined && taken !== audit && taken !== audit.meta.class) {
      throw AuditTrailConfigError.entityNameClash(audit.meta.className.replace(/Audit$/, ''), audit.meta.className);
    }
    if (!result.includes(audit) && !result.includes(audit.meta.class)) {
      result.push(audit);
    }
    for (const pivot of pivotAuditsOf(entity as EntitySchema)) {
      if (!result.includes(pivot.schema)) {
        result.push(pivot.schema);
      }
    }
  }
  return result;
}

function entityName(entity: object): string {
  return entity instanceof EntitySchema ? entity.meta.className : (entity as { name: string }).name;
}
