import { ReferenceKind, type EntityManager, type EntityName } from '@mikro-orm/core';
import type { AuditContextData } from '../context/AuditContext.js';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { historyTableOf } from '../read/historyTableOf.js';
import { buildRowsWithoutHistory } from '../sql/backfillQueries.js';
import type { AuditedChange } from './AuditedChange.js';
import type { AuditWriter } from './AuditWriter.js';
import { keyString } from './keyString.js';
import { readBackKey } from './readBackKey.js';
import { selectByKeys } from './selectByKeys.js';

/** What every batch of one `backfillAudit()` run shares. */
export interface BackfillRun {
  readonly plan: AuditPlan;
  readonly writer: AuditWriter;
  /** The caller's audit context, with the backfill's reason. */
  readonly context: AuditContextData;
  readonly batchSize: number;
}

/** What one batch looked at and wrote. */
export interface BackfillBatch {
  /** Rows without history the batch found (the next batch starts after the last). */
  readonly looked: number;
  readonly last: unknown[] | undefined;
  readonly written: number;
}

/**
 * One batch of a backfill, on the batch's transaction: the next `batchSize` rows without history after `after`,
 * locked, looked at again, and given their `I` versions by the writer, as the audit of an insert would be.
 */
export async function backfillBatch(trx: EntityManager, run: BackfillRun, after: unknown[] | undefined): Promise<BackfillBatch> {
  const { plan, writer, context, batchSize } = run;
  const transaction = trx.getTransactionContext<object>()!;
  const table = historyTableOf(plan);
  const rows = await executeStatement(trx, transaction, buildRowsWithoutHistory(table, after, batchSize), 'all');
  const candidates = rows.map(row => table.keyColumns.map((_, i) => row[`c${i}`]));
  if (candidates.length === 0) {
    return { looked: 0, last: undefined, written: 0 };
  }
  const keys = await stillWithoutHistory(trx, transaction, plan, candidates);
  if (keys.length > 0) {
    const session = writer.begin(trx, context);
    await session.after(transaction, { changed: [{ meta: plan.source, changes: await insertedRows(trx, plan, keys) }] });
    session.finish();
  }
  return { looked: candidates.length, last: candidates.at(-1), written: keys.length };
}

/**
 * The candidates that still exist and still have no version, locked in key order as a write locks the rows it
 * changes (ARCHITECTURE.md, "Locks the writer takes"). Every application write of a row writes its version while
 * it holds the row's lock: one that finished first shows now (READ COMMITTED, see `inBatchTransaction`), one that
 * comes later waits for this batch and finds the `I` version in place. A row deleted meanwhile is not locked.
 */
async function stillWithoutHistory(trx: EntityManager, transaction: object, plan: AuditPlan, candidates: unknown[][]): Promise<unknown[][]> {
  const { shape, platform } = plan;
  const keyNames = shape.keyColumns.map(column => column.name);
  const like = candidates[0]!;
  const same = (key: readonly unknown[]) => keyString(readBackKey(platform, like, key));
  const locked = await selectByKeys(trx, transaction, shape, shape.sourceTable, keyNames, candidates, keyNames, true);
  const versions = await selectByKeys(trx, transaction, shape, shape.auditTable, keyNames, locked, keyNames);
  const recorded = new Set(versions.map(same));
  return locked.filter(key => !recorded.has(same(key)));
}

/**
 * The rows as inserted changes, each with its entity loaded under the batch's locks, so that track field callbacks
 * see the row as they see an insert's. Where MikroORM reads a key in another form than the driver returns it (key
 * columns of custom types, dates, relations) a row goes by key alone, and callbacks get a reference, as for a
 * native update.
 */
async function insertedRows(trx: EntityManager, plan: AuditPlan, keys: unknown[][]): Promise<AuditedChange[]> {
  const loaded = new Map<string, object>();
  if (plan.source.getPrimaryProps().every(prop => prop.kind === ReferenceKind.SCALAR && !prop.customType && prop.runtimeType !== 'Date')) {
    const where = keys.map(key => (key.length === 1 ? key[0] : key));
    const entities = await trx.find(plan.source.class as EntityName<object>, where as never, { filters: false, disableIdentityMap: true });
    for (const entity of entities) {
      const key = plan.readKey(entity);
      if (key) {
        loaded.set(keyString(key), entity);
      }
    }
  }
  return keys.map(key => ({ key, entity: loaded.get(keyString(key)), changeType: 'I' }));
}
