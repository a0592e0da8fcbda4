/** The part of MikroORM's query builder the audit trail calls. */
export interface QueryBuilderLike {
  readonly type?: string;
  clone(): QueryBuilderLike;
  select(fields: string[]): QueryBuilderLike;
  setLockMode(mode?: unknown): QueryBuilderLike;
  andWhere(cond: object): QueryBuilderLike;
  insert(data: unknown): QueryBuilderLike;
  update(data: unknown): QueryBuilderLike;
  onConflict(fields?: unknown): unknown;
  execute(method?: string, mapResults?: boolean): Promise<unknown>;
}

/** What the audited subclass asks of the audit trail when a builder runs, and what it reports of the builder's calls. */
export interface QueryBuilderHooks {
  /** Runs the builder's statement (`execute`) with its audit rows; `calls` is what the builder was asked to do. */
  execute(qb: QueryBuilderLike, calls: QueryBuilderCalls, execute: () => Promise<unknown>): Promise<unknown>;
}

/** What an audited builder remembers of its own calls (MikroORM keeps them in private fields). */
export interface QueryBuilderCalls {
  /** The rows given to `insert()`; absent when the statement inserts some other way (`insertFrom()`). */
  inserted?: Record<string, unknown>[];
  conflict?: boolean;
  /** What `update()` was given to set. */
  updated?: Record<string, unknown>;
}

type QueryBuilderClass = new (...args: never[]) => QueryBuilderLike;

const HOOKS = Symbol('mikro-orm-audit-trail.queryBuilder');
const CALLS = Symbol('mikro-orm-audit-trail.queryBuilderCalls');
const classes = new WeakMap<QueryBuilderClass, QueryBuilderClass>();

/**
 * Gives one query builder a subclass of its own class as prototype, whose `execute` goes through `hooks`.
 * MikroORM offers no extension point for query builders (no event fires for their writes, and the
 * EntityManager creates them with `new`), so this is the one place that would change when it adds one;
 * MikroORM's classes themselves are not changed. test/core/native-writes.test.ts fails if the shape changes.
 */
export function hookQueryBuilder<Q extends object>(qb: Q, hooks: QueryBuilderHooks): Q {
  const base = (Object.getPrototypeOf(qb) as { constructor: QueryBuilderClass }).constructor;
  let Audited = classes.get(base);
  if (!Audited) {
    Audited = class extends base {
      override insert(data: unknown): QueryBuilderLike {
        callsOf(this).inserted = (Array.isArray(data) ? data : [data]) as Record<string, unknown>[];
        return super.insert(data);
      }

      override update(data: unknown): QueryBuilderLike {
        callsOf(this).updated = data as Record<string, unknown>;
        return super.update(data);
      }

      override onConflict(fields?: unknown): unknown {
        callsOf(this).conflict = true;
        return super.onConflict(fields);
      }

      override execute(method?: string, mapResults?: boolean): Promise<unknown> {
        const own = (this as unknown as Record<symbol, QueryBuilderHooks | undefined>)[HOOKS];
        const run = () => super.execute(method, mapResults);
        return own ? own.execute(this, callsOf(this), run) : run();
      }
    };
    classes.set(base, Audited);
  }
  Object.setPrototypeOf(qb, Audited.prototype as object);
  Object.defineProperty(qb, HOOKS, { value: hooks });
  return qb;
}

/**
 * Makes a builder created outside a transaction run its statements (and the clones made from it) on
 * `transaction`. MikroORM keeps a builder's transaction in the protected field `context`, set by its constructor
 * from the EntityManager and passed to the connection on `execute()`, in 6 and 7 alike; there is no public
 * setter. test/core/query-builder-transactions.test.ts fails if MikroORM stops reading it.
 */
export function runBuilderOn(qb: QueryBuilderLike, transaction: object): void {
  (qb as unknown as { context?: object }).context = transaction;
}

function callsOf(qb: object): QueryBuilderCalls {
  const holder = qb as Record<symbol, QueryBuilderCalls | undefined>;
  return (holder[CALLS] ??= {});
}
