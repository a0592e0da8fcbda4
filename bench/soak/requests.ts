// The logical requests of the soak run: each one change, made as an application would, with its own actor.
import { DeadlockException, EntitySchema, type EntityManager } from '@mikro-orm/core';
import { auditContext } from '../../src/index.js';

export interface SoakAccount {
  id: number;
  balance: number;
  lastActor: string;
  /** Not indexed: a delete by it scans (and on MariaDB locks) every row, as `delete … where slug = ?` does. */
  tag: string | null;
}

export const HOT_ROWS = 10;
export const SEEDED_ROWS = 400;

export function soakSchema(): EntitySchema<SoakAccount> {
  return new EntitySchema<SoakAccount>({
    name: 'SoakAccount',
    tableName: 'soak_account',
    properties: {
      id: { type: 'number', primary: true },
      balance: { type: 'number' },
      lastActor: { type: 'string', length: 40 },
      tag: { type: 'string', length: 40, nullable: true },
    },
  });
}

export type RequestKind = 'insert' | 'update' | 'native update' | 'delete' | 'native delete';

/** What the requests did, as the application saw it. */
export interface SoakLog {
  readonly succeeded: Record<RequestKind, number>;
  /** Rows `nativeUpdate` reported changed. */
  nativeUpdated: number;
  /** Keys each actor tried to delete (a flush cannot say whether its delete found the row). */
  readonly deleteAttempts: Map<number, Set<string>>;
  deadlocks: number;
  readonly otherErrors: string[];
}

export function emptyLog(): SoakLog {
  return {
    succeeded: { insert: 0, update: 0, 'native update': 0, delete: 0, 'native delete': 0 },
    nativeUpdated: 0,
    deleteAttempts: new Map(),
    deadlocks: 0,
    otherErrors: [],
  };
}

// A small deterministic generator, so that both variants run the same requests.
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** Request `i`: its kind and the row it targets, from the shared generator. */
export function planRequest(next: () => number): { kind: RequestKind; hot: number; victim: number } {
  const roll = next();
  const kind: RequestKind = roll < 0.3 ? 'insert' : roll < 0.6 ? 'update' : roll < 0.75 ? 'native update' : roll < 0.88 ? 'delete' : 'native delete';
  return { kind, hot: 1 + Math.floor(next() * HOT_ROWS), victim: HOT_ROWS + 1 + Math.floor(next() * (SEEDED_ROWS - HOT_ROWS)) };
}

export async function runRequest(em: EntityManager, schema: EntitySchema<SoakAccount>, i: number, plan: ReturnType<typeof planRequest>, log: SoakLog): Promise<void> {
  const actor = `user-${i}`;
  try {
    await auditContext.run({ user: actor }, () => change(em, schema, actor, plan, log));
    log.succeeded[plan.kind]++;
  } catch (error) {
    if (error instanceof DeadlockException) {
      log.deadlocks++;
    } else {
      log.otherErrors.push(`${plan.kind}: ${String(error).slice(0, 160)}`);
    }
  }
}

async function change(em: EntityManager, schema: EntitySchema<SoakAccount>, actor: string, { kind, hot, victim }: ReturnType<typeof planRequest>, log: SoakLog): Promise<void> {
  if (kind === 'insert') {
    em.create(schema, { balance: 0, lastActor: actor } as SoakAccount);
    await em.flush();
  } else if (kind === 'update') {
    const account = await em.findOneOrFail(schema, hot);
    account.balance += 1;
    account.lastActor = actor;
    await em.flush();
  } else if (kind === 'native update') {
    // Awaited first: `log.nativeUpdated += await …` would read the counter before the wait and lose increments.
    const updated = await em.nativeUpdate(schema, { id: hot }, { balance: Math.floor(Math.random() * 1000), lastActor: actor });
    log.nativeUpdated += updated;
  } else {
    const attempts = log.deleteAttempts.get(victim) ?? new Set<string>();
    attempts.add(actor);
    log.deleteAttempts.set(victim, attempts);
    if (kind === 'native delete') {
      await em.nativeDelete(schema, { tag: `row-${victim}` });
    } else {
      em.remove(em.getReference(schema, victim));
      await em.flush();
    }
  }
}
