import { AsyncLocalStorage } from 'node:async_hooks';
import { IsolationLevel, type EntityManager, type EntityMetadata, type EntityName } from '@mikro-orm/core';
import { auditContext } from '../context/AuditContext.js';
import type { AuditPlans } from '../discover/AuditPlan.js';
import { AuditTrailError } from '../errors/index.js';
import type { AfterStatements, BeforeStatements } from '../write/AuditedChange.js';
import { auditWriterOf } from '../write/AuditWriter.js';
import { auditedWrite } from '../write/AuditWriteGuard.js';
import { entityMetadataOf } from './entityMetadataOf.js';

/** Native-write options the adapter reads. */
export type NativeOptions = Record<string, unknown> & { ctx?: unknown; filters?: unknown; schema?: string };

/** What an audited native write does between its transaction opening and closing. */
export interface NativeWrite<R> {
  /** Reads what the write needs to know before it runs (keys of the rows it will change), and describes it. */
  readonly before?: (em: EntityManager) => Promise<BeforeStatements>;
  /** Runs MikroORM's own write. */
  readonly run: (em: EntityManager) => Promise<R>;
  /** Describes what the write changed, from its result. */
  readonly after: (em: EntityManager, result: R) => AfterStatements | Promise<AfterStatements>;
  /** On MySQL/MariaDB, a transaction of its own runs under READ COMMITTED. */
  readonly readCommitted?: boolean;
}

// MikroORM's own native writes call each other (`upsert` with `disableIdentityMap` calls the fork's `upsert`,
// `upsertMany` above `batchSize` calls itself per chunk): only the outermost call is audited.
const insideNativeWrite = new AsyncLocalStorage<true>();

/**
 * Runs a native write on `meta` (audited, or deleting rows the database may cascade into audited ones) in a
 * transaction together with its audit rows: a new one, or a savepoint of the caller's, so that a write whose
 * audit fails leaves nothing applied behind it. Anything else runs as MikroORM runs it.
 */
export async function runNativeWrite<R>(
  self: EntityManager,
  entityName: EntityName<object> | undefined,
  options: NativeOptions,
  write: (meta: EntityMetadata, plans: AuditPlans) => NativeWrite<R> | undefined,
  plain: () => Promise<R>,
): Promise<R> {
  const em = self.getContext(false);
  const writer = auditWriterOf(em);
  const meta = entityName === undefined ? undefined : entityMetadataOf(em, entityName);
  const steps = writer && meta && !insideNativeWrite.getStore() ? write(meta, writer.plans) : undefined;
  if (!writer || !meta || !steps) {
    return plain();
  }
  if (options.ctx !== undefined && options.ctx !== em.getTransactionContext()) {
    throw AuditTrailError.foreignTransactionContext(meta.className);
  }
  const context = auditContext.current();
  writer.checkActor(em, meta.className, context);
  return em.transactional(async trx => {
    const session = writer.begin(trx, context);
    await session.before(trx.getTransactionContext<object>()!, (await steps.before?.(trx)) ?? {}, true);
    const result = await insideNativeWrite.run(true, () => auditedWrite(() => steps.run(trx)));
    await session.after(trx.getTransactionContext(), await steps.after(trx, result));
    session.finish();
    return result;
  }, transactionOptions(em, writer.plans, steps));
}

// A transaction of the write's own holds only its statement and the audit rows: its isolation level changes
// nothing for the application.
function transactionOptions(em: EntityManager, plans: AuditPlans, steps: Pick<NativeWrite<unknown>, 'readCommitted'>): { isolationLevel?: IsolationLevel } {
  return steps.readCommitted && !em.getTransactionContext() && plans.names.dialect === 'mysql' ? { isolationLevel: IsolationLevel.READ_COMMITTED } : {};
}
