import { FlushMode, LockMode, Utils, type EntityManager, type EntityMetadata, type EntityName, type FilterQuery } from '@mikro-orm/core';
import type { ChangeType } from '../define/AuditColumns.js';
import type { AuditPlans } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import { insertManyKeys } from '../mikro-orm/insertManyKeys.js';
import type { AfterStatements, ChangedRows } from '../write/AuditedChange.js';
import { auditWriterOf } from '../write/AuditWriter.js';
import { keysLiveBefore } from '../write/earlierVersions.js';
import { keyString } from '../write/keyString.js';
import type { NativeOptions, NativeWrite } from './nativeWrite.js';
import { refuseCascadingKeyChange } from './keyChanges.js';
import { conflictProperties, upsertChangeTypes } from './upsertChanges.js';

type Run<R> = (em: EntityManager) => Promise<R>;

/** `nativeUpdate`: the keys of the matching rows are read first, and those rows copied as `U` after the update. */
// A write that sets a primary key the database cascades into audited rows is refused (see keyChanges.ts).
export function updateSteps(meta: EntityMetadata, plans: AuditPlans, where: FilterQuery<object>, data: object, options: NativeOptions, run: Run<number>): NativeWrite<number> | undefined {
  if (!plans.bySource.has(meta.className)) {
    refuseCascadingKeyChange(meta, plans, data);
    return undefined;
  }
  let keys: unknown[][] = [];
  return {
    before: async em => {
      keys = await matchingKeys(em, meta, where, options, plans);
      refuseCascadingKeyChange(meta, plans, data, keys);
      return {};
    },
    run,
    after: (_em, affected) => {
      checkAffected(meta, keys.length, affected);
      return { changed: [keyedRows(meta, keys, 'U')] };
    },
  };
}

/**
 * `nativeDelete`: the matching rows are described before the delete, so that their `D` rows, and those of rows
 * the database cascades to, are written while they still exist. Deleting rows of an unaudited entity is audited
 * too when the database may cascade from it into audited ones.
 */
export function deleteSteps(meta: EntityMetadata, plans: AuditPlans, where: FilterQuery<object>, options: NativeOptions, run: Run<number>): NativeWrite<number> | undefined {
  if (!plans.bySource.has(meta.className) && !plans.cascades.reachesAudited(meta.root.className, plans.bySource)) {
    return undefined;
  }
  let keys: unknown[][] = [];
  return {
    before: async em => {
      keys = await matchingKeys(em, meta, where, options, plans);
      return { deleting: [keyedRows(meta, keys, 'D')] };
    },
    run,
    after: (_em, affected) => {
      checkAffected(meta, keys.length, affected);
      return {};
    },
  };
}

/** `insert` / `insertMany`: the inserted rows are copied as `I`, with every generated key. */
export function insertSteps(meta: EntityMetadata, plans: AuditPlans, rows: object[] | undefined, options: NativeOptions, run: Run<unknown>): NativeWrite<unknown> | undefined {
  if (!plans.bySource.has(meta.className)) {
    return undefined;
  }
  const plainRows = rows !== undefined && rows.length > 0 && !Utils.isEntity(rows[0]);
  let keys: unknown[][] = [];
  return {
    run: async em => {
      if (!plainRows) {
        return run(em);
      }
      keys = await insertManyKeys(em, meta, rows, options);
      return keys.map(key => (key.length === 1 ? key[0] : key));
    },
    after: (_em, result) => {
      const results = rows === undefined ? [result] : (result as unknown[]);
      const all = plainRows ? keys : results.map(key => (Array.isArray(key) ? (key as unknown[]) : [key]));
      if (all.some(key => key.some(value => value === undefined || value === null))) {
        throw AuditTrailError.missingPrimaryKey(meta.className);
      }
      return { changed: [keyedRows(meta, all, 'I')] };
    },
  };
}

/** `upsert` / `upsertMany`: which rows match an existing one is read first; each is then copied as `U` or `I`. */
export function upsertSteps(
  meta: EntityMetadata,
  plans: AuditPlans,
  rows: Record<string, unknown>[],
  options: NativeOptions,
  call: string,
  run: Run<object[]>,
): NativeWrite<object[]> | undefined {
  if (!plans.bySource.has(meta.className)) {
    return undefined;
  }
  let changeTypeOf: (index: number, writtenKey: string | undefined) => ChangeType = () => 'I';
  return {
    before: async em => {
      const properties = conflictProperties(meta, rows, options.onConflictFields);
      if (!properties) {
        throw AuditTrailError.unauditedWrite(meta.className, call);
      }
      changeTypeOf = await upsertChangeTypes(em, meta.class as EntityName<object>, properties, rows, options.schema);
      return {};
    },
    run,
    // So that `confirmedChangeTypes` sees an insert this upsert waited for (see `keysLiveBefore`).
    readCommitted: true,
    after: async (em, entities): Promise<AfterStatements> => {
      const changeTypes = await confirmedChangeTypes(em, plans, meta, entities, changeTypeOf);
      return { changed: [{ meta, changes: entities.map((entity, i) => ({ entity, changeType: changeTypes[i]! })) }] };
    },
  };
}

// An `I` guessed before an upsert is an update when another transaction inserted the key while the upsert waited
// for it (see `keysLiveBefore`). SQLite has one writer at a time: nothing can have come in between.
async function confirmedChangeTypes(
  em: EntityManager,
  plans: AuditPlans,
  meta: EntityMetadata,
  entities: readonly object[],
  guessed: (index: number, writtenKey: string | undefined) => ChangeType,
): Promise<ChangeType[]> {
  const plan = plans.bySource.get(meta.className)!;
  const keys = entities.map(entity => plan.readKey(entity));
  const types = keys.map((key, i) => guessed(i, key ? keyString(key) : undefined));
  const inserted = keys.flatMap((key, i) => (types[i] === 'I' && key ? [{ i, key }] : []));
  if (inserted.length === 0 || plans.names.dialect === 'sqlite') {
    return types;
  }
  const transaction = em.getTransactionContext<object>()!;
  const live = await keysLiveBefore(em, transaction, plan, inserted.map(row => row.key), auditWriterOf(em)!.transactionIds.idOf(transaction));
  for (const { i, key } of inserted) {
    if (live.has(keyString(key))) {
      types[i] = 'U';
    }
  }
  return types;
}

// Only the keys are read, the entities are not managed, and nothing pending is flushed first: a native write has
// no side effects on the EntityManager. The rows are locked as they are read (SQLite locks the whole database
// for a writer instead), so that no other transaction changes which rows match before the write runs.
async function matchingKeys(em: EntityManager, meta: EntityMetadata, where: FilterQuery<object>, options: NativeOptions, plans: AuditPlans): Promise<unknown[][]> {
  const rows = await em.find(meta.class as EntityName<object>, where, {
    lockMode: plans.names.dialect === 'sqlite' ? undefined : LockMode.PESSIMISTIC_WRITE,
    fields: meta.primaryKeys as never,
    disableIdentityMap: true,
    flushMode: FlushMode.COMMIT,
    filters: options.filters as never,
    schema: options.schema,
  });
  const keyProps = meta.getPrimaryProps();
  return rows.map(row => keyProps.flatMap(prop => {
    const value = (row as Record<string, unknown>)[prop.name];
    return Utils.isEntity(value) ? Utils.getPrimaryKeyValues(value, (prop.targetMeta?.primaryKeys ?? []) as never, true) as unknown[] : [value];
  }));
}

function keyedRows(meta: EntityMetadata, keys: readonly unknown[][], changeType: ChangeType): ChangedRows {
  return { meta, changes: keys.map(key => ({ key: [...key], changeType })) };
}

// A statement that changed other rows than those read (and locked) before it ran would leave some without
// history, or give history to rows it did not change.
function checkAffected(meta: EntityMetadata, audited: number, affected: number): void {
  if (typeof affected === 'number' && affected !== audited) {
    throw AuditTrailError.unrecordedRows(meta.className, affected, audited);
  }
}
