import type { Configuration, EntityManager, EntityName, FilterQuery } from '@mikro-orm/core';
import { installEntityManagerClass } from '../mikro-orm/entityManagerClass.js';
import { auditedWrite } from '../write/AuditWriteGuard.js';
import { auditQueryBuilder, queryBuilderEntity } from './auditedQueryBuilder.js';
import { entityNameOf } from './entityMetadataOf.js';
import { runNativeWrite, type NativeOptions } from './nativeWrite.js';
import { deleteSteps, insertSteps, updateSteps, upsertSteps } from './nativeWriteSteps.js';

/**
 * Makes MikroORM create audited EntityManagers: the configured class with its native writes audited. Each write
 * describes what it changes to the audit writer, which records it in the write's transaction: `nativeUpdate`
 * (keys read first, `U` rows after), `nativeDelete` (`D` rows before, with database cascades), `insert` /
 * `insertMany` (`I` rows with every generated key), `upsert` / `upsertMany` (`I` or `U` per row, from which rows
 * matched before), and the query builders it creates.
 */
export function installAuditedEntityManager(config: Configuration): void {
  installEntityManagerClass<NativeWrites>(config, auditedMethods);
}

function auditedMethods(base: NativeWrites): NativeWrites {
  return {
    // A flush's statements are audited by the subscriber: strict mode lets them through.
    async flush(this: EntityManager) {
      return auditedWrite(() => base.flush.call(this));
    },
    createQueryBuilder(this: EntityManager, ...args: unknown[]) {
      const entityName = queryBuilderEntity(args[0]);
      const qb = base.createQueryBuilder.apply(this, args);
      return entityName === undefined ? qb : auditQueryBuilder(qb, this.getContext(false), entityName);
    },
    nativeUpdate(this: EntityManager, entityName: EntityName<object>, where: FilterQuery<object>, data: object, options: NativeOptions = {}) {
      const run = (em: EntityManager) => base.nativeUpdate.call(em, entityName, where, data, options);
      return runNativeWrite(this, entityName, options, (meta, plans) => updateSteps(meta, plans, where, data, options, run), () => run(this));
    },
    nativeDelete(this: EntityManager, entityName: EntityName<object>, where: FilterQuery<object>, options: NativeOptions = {}) {
      const run = (em: EntityManager) => base.nativeDelete.call(em, entityName, where, options);
      return runNativeWrite(this, entityName, options, (meta, plans) => deleteSteps(meta, plans, where, options, run), () => run(this));
    },
    insert(this: EntityManager, entityNameOrEntity: unknown, data?: object, options: NativeOptions = {}) {
      const run = (em: EntityManager) => base.insert.call(em, entityNameOrEntity, data, options);
      return runNativeWrite(this, entityNameOf(entityNameOrEntity), options, (meta, plans) => insertSteps(meta, plans, undefined, options, run), () => run(this));
    },
    insertMany(this: EntityManager, entityNameOrEntities: unknown, data?: object[], options: NativeOptions = {}) {
      const rows = data ?? (entityNameOrEntities as object[]);
      const entityName = Array.isArray(entityNameOrEntities) ? entityNameOf(entityNameOrEntities[0]) : entityNameOf(entityNameOrEntities);
      const run = (em: EntityManager) => base.insertMany.call(em, entityNameOrEntities, data, options);
      return runNativeWrite(this, entityName, options, (meta, plans) => insertSteps(meta, plans, rows, options, run), () => run(this));
    },
    upsert(this: EntityManager, entityNameOrEntity: unknown, data?: object, options: NativeOptions = {}) {
      const rows = [(data ?? entityNameOrEntity) as Record<string, unknown>];
      const run = async (em: EntityManager) => [(await base.upsert.call(em, entityNameOrEntity, data, options)) as object];
      return runNativeWrite(this, entityNameOf(entityNameOrEntity), options, (meta, plans) => upsertSteps(meta, plans, rows, options, 'em.upsert()', run), () => run(this)).then(([entity]) => entity);
    },
    upsertMany(this: EntityManager, entityNameOrEntities: unknown, data?: object[], options: NativeOptions = {}) {
      const rows = (data ?? entityNameOrEntities) as Record<string, unknown>[];
      const entityName = Array.isArray(entityNameOrEntities) ? entityNameOf(entityNameOrEntities[0]) : entityNameOf(entityNameOrEntities);
      const run = async (em: EntityManager) => (await base.upsertMany.call(em, entityNameOrEntities, data, options)) as object[];
      return runNativeWrite(this, entityName, options, (meta, plans) => upsertSteps(meta, plans, rows, options, 'em.upsertMany()', run), () => run(this));
    },
  };
}

interface NativeWrites {
  flush(this: EntityManager): Promise<void>;
  createQueryBuilder(this: EntityManager, ...args: unknown[]): object;
  nativeUpdate(this: EntityManager, entityName: EntityName<object>, where: FilterQuery<object>, data: object, options?: NativeOptions): Promise<number>;
  nativeDelete(this: EntityManager, entityName: EntityName<object>, where: FilterQuery<object>, options?: NativeOptions): Promise<number>;
  insert(this: EntityManager, entityNameOrEntity: unknown, data?: object, options?: NativeOptions): Promise<unknown>;
  insertMany(this: EntityManager, entityNameOrEntities: unknown, data?: object[], options?: NativeOptions): Promise<unknown>;
  upsert(this: EntityManager, entityNameOrEntity: unknown, data?: object, options?: NativeOptions): Promise<unknown>;
  upsertMany(this: EntityManager, entityNameOrEntities: unknown, data?: object[], options?: NativeOptions): Promise<unknown>;
}
