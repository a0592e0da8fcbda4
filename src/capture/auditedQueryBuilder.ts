import type { EntityManager, EntityName } from '@mikro-orm/core';
import type { ChangeType } from '../define/AuditColumns.js';
import type { AuditPlan, AuditPlans } from '../discover/AuditPlan.js';
import { unauditedWritesAllowed } from '../write/AuditWriteGuard.js';
import { AuditTrailError } from '../errors/errors.js';

/** What the audited EntityManager gives an audited query builder to record its writes with. */
export interface QueryBuilderAudit {
  readonly em: EntityManager;
  /** The EntityManager's transaction when the query builder was created (the one it runs in). */
  readonly transaction: object | undefined;
  readonly plan: AuditPlan | undefined;
  readonly plans: AuditPlans;
  /** Writes snapshots of rows known by key on the transaction. */
  write(em: EntityManager, plan: AuditPlan, keys: readonly unknown[][], changeType: ChangeType): Promise<void>;
  /** Runs the builder's own statement as a write the library records. */
  run(execute: () => Promise<unknown>): Promise<unknown>;
}

interface QueryBuilderLike {
  readonly type?: string;
  clone(): QueryBuilderLike;
  select(fields: string[]): QueryBuilderLike;
  insert(data: unknown): QueryBuilderLike;
  onConflict(fields?: unknown): unknown;
  execute(method?: string, mapResults?: boolean): Promise<unknown>;
}

// What an audited builder remembers of its own calls (MikroORM keeps them in private fields).
interface Calls {
  inserted?: Record<string, unknown>[];
  conflict?: boolean;
}
const CALLS = Symbol('mikro-orm-audit-trail.queryBuilderCalls');

type QueryBuilderClass = new (...args: never[]) => QueryBuilderLike;

const AUDIT = Symbol('mikro-orm-audit-trail.queryBuilder');
const classes = new WeakMap<QueryBuilderClass, QueryBuilderClass>();

/**
 * Makes a query builder of an audited entity record its `update()` and `delete()` like `em.nativeUpdate()` and
 * `em.nativeDelete()` do: the keys of the matching rows are read first with the same conditions (a clone of the
 * builder turned into a select), and the rows copied after the update or before the delete. The builder gets a
 * subclass of its own class as prototype; MikroORM's classes are not changed.
 */
export function auditQueryBuilder<Q extends object>(qb: Q, audit: QueryBuilderAudit): Q {
  const prototype = Object.getPrototypeOf(qb) as { constructor: QueryBuilderClass };
  const base = prototype.constructor;
  let Audited = classes.get(base);
  if (!Audited) {
    Audited = class extends base {
      override insert(data: unknown): QueryBuilderLike {
        calls(this).inserted = (Array.isArray(data) ? data : [data]) as Record<string, unknown>[];
        return super.insert(data);
      }

      override onConflict(fields?: unknown): unknown {
        calls(this).conflict = true;
        return super.onConflict(fields);
      }

      override async execute(method?: string, mapResults?: boolean): Promise<unknown> {
        const state = (this as unknown as Record<symbol, QueryBuilderAudit | undefined>)[AUDIT];
        const type = this.type?.toUpperCase();
        if (!state?.plan || (type !== 'UPDATE' && type !== 'DELETE' && type !== 'INSERT')) {
          return super.execute(method, mapResults);
        }
        return executeAudited(this, state, state.plan, type, () => super.execute(method, mapResults));
      }
    };
    classes.set(base, Audited);
  }
  Object.setPrototypeOf(qb, Audited.prototype as object);
  Object.defineProperty(qb, AUDIT, { value: audit });
  return qb;
}

function calls(qb: object): Calls {
  const holder = qb as Record<symbol, Calls | undefined>;
  return (holder[CALLS] ??= {});
}

async function executeAudited(
  qb: QueryBuilderLike,
  audit: QueryBuilderAudit,
  plan: AuditPlan,
  type: 'UPDATE' | 'DELETE' | 'INSERT',
  execute: () => Promise<unknown>,
): Promise<unknown> {
  const { em, transaction } = audit;
  // The builder runs on the transaction it was created in; its audit rows must be written there too. Outside
  // one it cannot be audited: refused in strict mode, let through (unrecorded) otherwise or when asked to.
  if (!transaction || transaction !== em.getTransactionContext()) {
    if (!audit.plans.strict || unauditedWritesAllowed()) {
      return execute();
    }
    throw AuditTrailError.queryBuilderOutsideTransaction(plan.sourceName, `${type.toLowerCase()}()`);
  }
  const keyProps = plan.source.getPrimaryProps();
  if (type === 'INSERT') {
    const { inserted = [], conflict } = calls(qb);
    if (conflict) {
      // An insert … on conflict merge may update existing rows: it cannot say which rows it inserted.
      throw AuditTrailError.queryBuilderUpsert(plan.sourceName);
    }
    const result = (await audit.run(execute)) as { rows?: Record<string, unknown>[]; insertId?: number } | undefined;
    const keys = inserted.map((row, i) =>
      keyProps.map(prop => row[prop.name] ?? result?.rows?.[i]?.[prop.fieldNames[0]!] ?? (plan.shape.dialect === 'mysql' && result?.insertId ? result.insertId + i : undefined)),
    );
    if (keys.some(key => key.some(value => value === undefined || value === null))) {
      throw AuditTrailError.missingPrimaryKey(plan.sourceName);
    }
    await audit.write(em, plan, keys, 'I');
    return result;
  }
  const rows = (await qb.clone().select(keyProps.map(prop => prop.name)).execute('all')) as Record<string, unknown>[];
  const keys = rows.map(row => keyProps.map(prop => row[prop.name]));
  if (type === 'DELETE') {
    if (plan.options.auditDeletes) {
      await audit.write(em, plan, keys, 'D');
    }
    const nulled = await recordCascades(audit, keys);
    const result = await audit.run(execute);
    for (const [dependent, dependentKeys] of nulled) {
      await audit.write(em, dependent, dependentKeys, 'U');
    }
    return result;
  }
  const result = await audit.run(execute);
  await audit.write(em, plan, keys, 'U');
  return result;
}

// Rows the database deletes or nulls along with the deleted ones: D rows now, U rows (returned) after the delete.
async function recordCascades(audit: QueryBuilderAudit, keys: unknown[][]): Promise<Map<AuditPlan, unknown[][]>> {
  const { em, plans, plan } = audit;
  if (!plan || !plans.cascades.reachesAudited(plan.source.root.className, plans)) {
    return new Map();
  }
  const found = await plans.cascades.find(em, audit.transaction!, plans, [{ meta: plan.source, keys }], () => false);
  for (const [dependent, dependentKeys] of found.deleted) {
    if (dependent.options.auditDeletes) {
      await audit.write(em, dependent, dependentKeys, 'D');
    }
  }
  return found.nulled;
}

/** The entity a `createQueryBuilder()` call is for: its first argument, or the entity of a builder passed instead. */
export function queryBuilderEntity(first: unknown): EntityName<object> | undefined {
  return typeof first === 'string' || typeof first === 'function' || (typeof first === 'object' && first !== null && 'meta' in first)
    ? (first as EntityName<object>)
    : undefined;
}
