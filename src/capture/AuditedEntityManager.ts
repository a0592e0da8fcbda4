import { QueryHelper, Utils, type Configuration, type EntityManager, type EntityMetadata, type EntityName, type FilterQuery } from '@mikro-orm/core';
import { auditContext } from '../context/AuditContext.js';
import type { ChangeType } from '../define/AuditColumns.js';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { auditPlansOf, auditSubscriberOf } from '../read/auditPlanOf.js';
import { keyedChanges } from './AuditTrailSubscriber.js';
import { primaryKeyValues } from '../write/databaseValues.js';
import { AuditTrailError } from '../errors/errors.js';
import { FlushAudit, type AuditedChange } from '../write/FlushAudit.js';
import { auditedWrite } from '../write/AuditWriteGuard.js';
import { auditQueryBuilder, queryBuilderEntity } from './auditedQueryBuilder.js';
import { allMetadata } from '../mikro-orm/metadata.js';
import { conflictProperties, upsertChangeTypes } from './upsertChanges.js';
import { markRecorded } from '../write/triggerBackstop.js';
import { sqlSchemaModule } from '../mikro-orm/sqlSchema.js';

type EntityManagerClass = new (...args: never[]) => EntityManager;
type Options = Record<string, unknown> & { ctx?: unknown; filters?: unknown; schema?: string };

const AUDITED = Symbol('mikro-orm-audit-trail.entityManager');
const classes = new WeakMap<EntityManagerClass, EntityManagerClass>();

/**
 * Makes MikroORM create audited EntityManagers: the config's `entityManager` class (or the SQL driver's default)
 * with audited native writes. Runs during discovery, before MikroORM creates its first EntityManager.
 */
export async function installAuditedEntityManager(config: Configuration): Promise<void> {
  const current = config.get('entityManager') as EntityManagerClass | undefined;
  if (isAuditedEntityManager(current)) {
    return;
  }
  const base = current ?? (await sqlSchemaModule()).SqlEntityManager;
  config.set('entityManager', auditedEntityManager(base) as never);
}

/** Whether `cls` is (or extends) an EntityManager class made by `auditedEntityManager`. */
export function isAuditedEntityManager(cls: unknown): boolean {
  return typeof cls === 'function' && AUDITED in cls;
}

/**
 * The EntityManager class MikroORM should create: `Base` (the driver's, or the one the config names) with its
 * native writes audited. Installed through the config's `entityManager` option, MikroORM's extension point
 * for this; nothing of MikroORM is patched. Writes to audited entities run in a transaction (the caller's, or
 * one of their own) together with their audit rows, written set-based as a flush writes them:
 *
 * - `nativeUpdate`: the keys of the matching rows are read first (one query), then the update runs, then the
 *   updated rows are copied (`U`);
 * - `nativeDelete`: the matching rows are copied (`D`) before the delete;
 * - `insert` / `insertMany`: the inserted rows are copied (`I`) with their generated keys.
 *
 * - `upsert` / `upsertMany`: the rows matching an existing row (by the fields MikroORM matches on) are read
 *   first, then each upserted row is copied as `U` if it matched, `I` otherwise.
 */
export function auditedEntityManager<B extends EntityManagerClass>(Base: B): B {
  const existing = classes.get(Base);
  if (existing) {
    return existing as B;
  }
  const base = Base.prototype as unknown as NativeWrites;
  const Audited = class extends (Base as EntityManagerClass) {
    static readonly [AUDITED] = true;
  };
  // Declared as plain functions rather than class members: MikroORM's signatures are generic per entity.
  const overrides: NativeWrites = {
    // A flush's statements are audited by the subscriber: strict mode lets them through.
    async flush(this: EntityManager) {
      return auditedWrite(() => base.flush.call(this));
    },
    createQueryBuilder(this: EntityManager, ...args: unknown[]) {
      const qb = base.createQueryBuilder.apply(this, args);
      const em = this.getContext(false);
      const plans = auditPlansOf(em);
      const entityName = queryBuilderEntity(args[0]);
      if (!plans || entityName === undefined) {
        return qb;
      }
      return auditQueryBuilder(qb, {
        em,
        transaction: em.getTransactionContext<object>(),
        plan: planOf(em, entityName),
        plans,
        write: writeKeyed,
        run: execute => recordedWrite(em, execute),
      });
    },
    async nativeUpdate(this: EntityManager, entityName: EntityName<object>, where: FilterQuery<object>, data: object, options: Options = {}) {
      return audited(this, entityName, options, async (em, plan) => {
        const targets = await matchingRows(em, entityName, plan.source, where, options);
        const affected = await recordedWrite(em, () => base.nativeUpdate.call(em, entityName, where, data, options));
        await writeAudit(em, plan, targets, 'U');
        return affected;
      }, () => base.nativeUpdate.call(this, entityName, where, data, options));
    },
    async nativeDelete(this: EntityManager, entityName: EntityName<object>, where: FilterQuery<object>, options: Options = {}) {
      const em = this.getContext(false);
      const plans = auditPlansOf(em);
      const meta = metaOf(em, entityName);
      // Deleting an unaudited row may still make the database delete or null rows of audited entities.
      const cascades = !!plans && !!meta && plans.cascades.reachesAudited(meta.root.className, plans);
      if (!cascades && !planOf(em, entityName)) {
        return base.nativeDelete.call(this, entityName, where, options);
      }
      return inTransaction(em, plans!.bySource.get(meta!.className)?.sourceName ?? meta!.className, options, async trx => {
        const plan = planOf(trx, entityName);
        const targets = await matchingRows(trx, entityName, meta!, where, options);
        if (plan?.options.auditDeletes) {
          await writeAudit(trx, plan, targets, 'D');
        }
        let nulled: Map<AuditPlan, unknown[][]> | undefined;
        if (cascades) {
          const keys = targets.map(entity => primaryKeyValues(entity)!);
          const found = await plans.cascades.find(trx, trx.getTransactionContext<object>()!, plans, [{ meta, keys }], () => false);
          for (const [dependent, dependentKeys] of found.deleted) {
            if (dependent.options.auditDeletes) {
              await writeKeyed(trx, dependent, dependentKeys, 'D');
            }
          }
          nulled = found.nulled;
        }
        const affected = await recordedWrite(trx, () => base.nativeDelete.call(trx, entityName, where, options));
        for (const [dependent, dependentKeys] of nulled ?? []) {
          await writeKeyed(trx, dependent, dependentKeys, 'U');
        }
        return affected;
      });
    },
    async insert(this: EntityManager, entityNameOrEntity: unknown, data?: object, options: Options = {}) {
      return audited(this, entityOf(entityNameOrEntity), options, async (em, plan) => {
        const key = await recordedWrite(em, () => base.insert.call(em, entityNameOrEntity, data, options));
        await writeAudit(em, plan, [reference(em, plan, key)], 'I');
        return key;
      }, () => base.insert.call(this, entityNameOrEntity, data, options));
    },
    async insertMany(this: EntityManager, entityNameOrEntities: unknown, data?: object[], options: Options = {}) {
      const entityName = Array.isArray(entityNameOrEntities) ? entityOf(entityNameOrEntities[0]) : entityOf(entityNameOrEntities);
      return audited(this, entityName, options, async (em, plan) => {
        const rows = data ?? (entityNameOrEntities as object[]);
        const keys = await recordedWrite(em, () =>
          rows.length > 0 && !Utils.isEntity(rows[0]) ? insertRows(em, plan, rows, options) : base.insertMany.call(em, entityNameOrEntities, data, options),
        );
        await writeAudit(em, plan, keys.map(key => reference(em, plan, key)), 'I');
        return keys;
      }, () => base.insertMany.call(this, entityNameOrEntities, data, options));
    },
    async upsert(this: EntityManager, entityNameOrEntity: unknown, data?: object, options: Options = {}) {
      const entityName = entityOf(entityNameOrEntity);
      return audited(this, entityName, options, async (em, plan) => {
        const rows = [(data ?? entityNameOrEntity) as Record<string, unknown>];
        const changeTypeOf = await changeTypes(em, plan, rows, options, 'em.upsert()');
        const entity = await recordedWrite(em, () => base.upsert.call(em, entityNameOrEntity, data, options));
        await write(em, plan, [{ entity: entity as object, changeType: changeTypeOf(0) }]);
        return entity;
      }, () => base.upsert.call(this, entityNameOrEntity, data, options));
    },
    async upsertMany(this: EntityManager, entityNameOrEntities: unknown, data?: object[], options: Options = {}) {
      const entityName = Array.isArray(entityNameOrEntities) ? entityOf(entityNameOrEntities[0]) : entityOf(entityNameOrEntities);
      return audited(this, entityName, options, async (em, plan) => {
        const rows = (data ?? entityNameOrEntities) as Record<string, unknown>[];
        const changeTypeOf = await changeTypes(em, plan, rows, options, 'em.upsertMany()');
        const entities = (await recordedWrite(em, () => base.upsertMany.call(em, entityNameOrEntities, data, options))) as object[];
        await write(em, plan, entities.map((entity, i) => ({ entity, changeType: changeTypeOf(i) })));
        return entities;
      }, () => base.upsertMany.call(this, entityNameOrEntities, data, options));
    },
  };
  for (const [name, method] of Object.entries(overrides)) {
    Object.defineProperty(Audited.prototype, name, { value: method, writable: true, configurable: true });
  }
  Object.defineProperty(Audited, 'name', { value: `Audited${Base.name}` });
  classes.set(Base, Audited);
  return Audited as unknown as B;
}

interface NativeWrites {
  flush(this: EntityManager): Promise<void>;
  createQueryBuilder(this: EntityManager, ...args: unknown[]): object;
  nativeUpdate(this: EntityManager, entityName: EntityName<object>, where: FilterQuery<object>, data: object, options?: Options): Promise<number>;
  nativeDelete(this: EntityManager, entityName: EntityName<object>, where: FilterQuery<object>, options?: Options): Promise<number>;
  insert(this: EntityManager, entityNameOrEntity: unknown, data?: object, options?: Options): Promise<unknown>;
  insertMany(this: EntityManager, entityNameOrEntities: unknown, data?: object[], options?: Options): Promise<unknown[]>;
  upsert(this: EntityManager, entityNameOrEntity: unknown, data?: object, options?: Options): Promise<unknown>;
  upsertMany(this: EntityManager, entityNameOrEntities: unknown, data?: object[], options?: Options): Promise<unknown>;
}

// Runs `write` for an audited entity inside a transaction (the caller's, or a new one around the write and its
// audit rows), or `plain` for any other entity.
async function audited<R>(
  self: EntityManager,
  entityName: EntityName<object> | undefined,
  options: Options,
  write: (em: EntityManager, plan: AuditPlan) => Promise<R>,
  plain: () => Promise<R>,
): Promise<R> {
  const em = self.getContext(false);
  const plan = entityName === undefined ? undefined : planOf(em, entityName);
  if (!plan) {
    return plain();
  }
  return inTransaction(em, plan.sourceName, options, trx => write(trx, plan));
}

// The caller's transaction, or a new one around the write and its audit rows.
async function inTransaction<R>(em: EntityManager, entity: string, options: Options, write: (em: EntityManager) => Promise<R>): Promise<R> {
  if (options.ctx !== undefined && options.ctx !== em.getTransactionContext()) {
    throw AuditTrailError.foreignTransactionContext(entity);
  }
  return em.isInTransaction() ? write(em) : em.transactional(trx => write(trx));
}

// Which rows an upsert will update rather than insert, read before it runs; an upsert whose matching fields
// cannot be told is refused rather than recorded with a guessed change type.
async function changeTypes(em: EntityManager, plan: AuditPlan, rows: Record<string, unknown>[], options: Options, call: string): Promise<(index: number) => ChangeType> {
  const properties = conflictProperties(plan.source, rows, options.onConflictFields);
  if (!properties) {
    throw AuditTrailError.unauditedWrite(plan.sourceName, call);
  }
  return upsertChangeTypes(em, plan.source.class as EntityName<object>, properties, rows);
}

function planOf(em: EntityManager, entityName: EntityName<object>): AuditPlan | undefined {
  const meta = metaOf(em, entityName);
  return meta && auditPlansOf(em)?.bySource.get(meta.className);
}

// Looked up on every native write and query builder: remembered per ORM (metadata storage) and entity.
const metaCache = new WeakMap<object, Map<unknown, EntityMetadata | undefined>>();

function metaOf(em: EntityManager, entityName: EntityName<object>): EntityMetadata | undefined {
  const storage = em.getMetadata();
  let cache = metaCache.get(storage);
  if (!cache) {
    cache = new Map();
    metaCache.set(storage, cache);
  }
  if (cache.has(entityName)) {
    return cache.get(entityName);
  }
  const name =
    typeof entityName === 'string'
      ? entityName
      : ((entityName as { meta?: { className?: string } }).meta?.className ?? (entityName as { name?: string }).name);
  const meta = allMetadata(storage).find(candidate => candidate.class === entityName || candidate.className === name);
  cache.set(entityName, meta);
  return meta;
}

function entityOf(entityOrName: unknown): EntityName<object> | undefined {
  if (entityOrName === undefined || entityOrName === null) {
    return undefined;
  }
  return typeof entityOrName === 'object' && !('meta' in entityOrName) ? (entityOrName.constructor as EntityName<object>) : (entityOrName as EntityName<object>);
}

// Only the keys are read, and the entities are not managed: a native write has no side effects on the context.
async function matchingRows(em: EntityManager, entityName: EntityName<object>, meta: EntityMetadata, where: FilterQuery<object>, options: Options): Promise<object[]> {
  return em.find(entityName, where, {
    fields: meta.primaryKeys as never,
    disableIdentityMap: true,
    filters: options.filters as never,
    schema: options.schema,
  });
}

// MikroORM 6's em.insertMany() of plain rows returns only the first generated key; the driver's result holds
// all of them (per row, as MikroORM's own batch inserts read them), and the audit rows need every one.
async function insertRows(em: EntityManager, plan: AuditPlan, rows: object[], options: Options): Promise<unknown[]> {
  const processed: Record<string, unknown>[] = rows.map(row => QueryHelper.processObjectParams({ ...row } as Record<string, unknown>));
  const driver = em.getDriver() as unknown as {
    nativeInsertMany(entityName: string, data: object[], options: object): Promise<{ rows?: Record<string, unknown>[] }>;
  };
  const result = await driver.nativeInsertMany(plan.sourceName, processed, { ctx: em.getTransactionContext<object>(), ...options });
  const keyProps = plan.source.getPrimaryProps();
  return processed.map((row, i) => {
    const key = keyProps.map((prop): unknown => row[prop.name] ?? result.rows?.[i]?.[prop.fieldNames[0]!]);
    if (key.some(value => value === undefined || value === null)) {
      throw AuditTrailError.missingPrimaryKey(plan.sourceName);
    }
    return key.length === 1 ? key[0] : key;
  });
}

function reference(em: EntityManager, plan: AuditPlan, key: unknown): object {
  return em.getReference(plan.source.class as EntityName<object>, key as never, { wrapped: false });
}

// An audited write's own statement: strict mode lets it through, and the backstop triggers (when installed) are
// told the library records it.
async function recordedWrite<R>(em: EntityManager, write: () => Promise<R>): Promise<R> {
  const transaction = auditPlansOf(em)?.backstop ? em.getTransactionContext<object>() : undefined;
  if (transaction) {
    await markRecorded(em, transaction, true, auditContext.current());
  }
  try {
    return await auditedWrite(write);
  } finally {
    if (transaction) {
      await markRecorded(em, transaction, false, auditContext.current());
    }
  }
}

function writeAudit(em: EntityManager, plan: AuditPlan, entities: readonly object[], changeType: ChangeType): Promise<void> {
  return write(em, plan, entities.map(entity => ({ entity, changeType })));
}

function writeKeyed(em: EntityManager, plan: AuditPlan, keys: readonly unknown[][], changeType: ChangeType): Promise<void> {
  return write(em, plan, keyedChanges(em, plan, keys, changeType));
}

async function write(em: EntityManager, plan: AuditPlan, changes: AuditedChange[]): Promise<void> {
  const subscriber = auditSubscriberOf(em);
  const transaction = em.getTransactionContext<object>();
  if (!subscriber || !transaction) {
    throw AuditTrailError.outsideTransaction(plan.sourceName);
  }
  await subscriber.writeAudit(em, transaction, plan, changes, new FlushAudit(auditContext.current()));
}
