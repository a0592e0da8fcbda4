import { EntitySchema, type EventSubscriber, type MetadataDiscoveryOptions } from '@mikro-orm/core';
import { AuditDiscovery } from '../discover/AuditDiscovery.js';
import { AuditWriteGuard } from '../write/AuditWriteGuard.js';
import { findDefinition } from '../define/AuditRegistry.js';
import type { AuditTrailModuleOptions } from '../define/AuditTrailOptions.js';
import { resolveModuleOptions } from '../define/resolveModuleOptions.js';
import { AuditTrailSubscriber } from '../capture/AuditTrailSubscriber.js';
import { auditOf } from '../define/auditOf.js';
import { pivotAuditsOf } from '../define/auditOfCollection.js';
import { AuditTrailConfigError } from '../errors/index.js';
import { withTamperEntities } from '../tamper/tamperEntities.js';

/** The parts of a MikroORM config that `withAuditTrail` reads and extends. */
export interface AuditableConfig {
  entities?: readonly unknown[];
  entitiesTs?: readonly unknown[];
  subscribers?: Iterable<unknown>;
  discovery?: MetadataDiscoveryOptions;
  onQuery?: (sql: string, params: unknown[]) => string;
  /** `@mikro-orm/nestjs`: entities come from `MikroOrmModule.forFeature()`, added after `withAuditTrail` ran. */
  autoLoadEntities?: boolean;
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
// `C & AuditableConfig` rather than `C extends AuditableConfig`: inside `MikroOrmModule.forRoot(withAuditTrail({…}))`
// TypeScript then infers `C` from the literal with the caller's parameter as contextual type, so literal options
// (`loadStrategy: 'joined'`) keep their types and any option MikroORM or @mikro-orm/nestjs knows is accepted.
export function withAuditTrail<C>(config: C & AuditableConfig, options: AuditTrailModuleOptions = {}): C {
  if ([...(config.subscribers ?? [])].some(subscriber => subscriber instanceof AuditTrailSubscriber)) {
    return config;
  }
  const settings = resolveModuleOptions(options);
  const guard = new AuditWriteGuard(settings.strict);
  const discovery = new AuditDiscovery({ ...settings, guard, autoLoadEntities: config.autoLoadEntities === true });
  const entities = config.entities && withTamperEntities(withAuditEntities(config.entities), options);
  const entitiesTs = config.entitiesTs && withTamperEntities(withAuditEntities(config.entitiesTs), options);
  const subscriber = new AuditTrailSubscriber();
  const userDiscovery = config.discovery ?? {};
  const userOnQuery = config.onQuery;

  const result: AuditableConfig = {
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
      // Synchronous unless the user's own hook is not: MikroORM.initSync() / new MikroORM() do not await hooks.
      onMetadata: (meta, platform) => {
        const user = userDiscovery.onMetadata?.(meta, platform);
        return user instanceof Promise ? user.then(() => discovery.onMetadata(meta, platform)) : discovery.onMetadata(meta, platform);
      },
      afterDiscovered: (storage, platform) => {
        const reading = discovery.afterDiscovered(storage, platform);
        const user = userDiscovery.afterDiscovered?.(storage, platform);
        return reading || user instanceof Promise ? Promise.all([reading, user]).then(() => undefined) : undefined;
      },
    },
  };
  return result as C;
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
    for (const pivot of pivotAuditsOf(entity as EntitySchema, name => names.get(name) as object | undefined)) {
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
