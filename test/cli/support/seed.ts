import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { auditContext, auditOf } from '../../../src/index.js';
import { Membership, Person } from './entities.js';

/** A value as an attacker would store it: a screen clear, an OSC 8 link, a carriage return, a bidi override. */
export const HOSTILE_NAME = 'Eve\u001b[2J\u001b]8;;http://evil.example/\u0007click\u001b]8;;\u0007\roverwritten\u202eevil';
/** A value a spreadsheet would run as a formula. */
export const FORMULA = '=HYPERLINK("http://evil.example","x")';

/** The database clock's stamp of each step (the newest audit row after it). */
export interface SeededHistory {
  readonly T1: Date;
  readonly T2: Date;
  readonly T3: Date;
}

/**
 * Person 1 (Ada) inserted, updated; Person 2 inserted, renamed to a hostile value, deleted; Membership [1,1]
 * inserted: three transactions by alice and bob, a few milliseconds apart.
 */
export async function seedHistory(orm: MikroORM): Promise<SeededHistory> {
  const em = orm.em.fork();
  const step = async (user: string, reason: string, change: () => void): Promise<Date> => {
    await auditContext.run({ user, reason }, async () => {
      change();
      await em.flush();
    });
    const stamp = await newestStamp(em);
    await sleep(20);
    return stamp;
  };
  const T1 = await step('alice', 'sign-up', () => {
    em.create(Person, { id: 1, name: 'Ada', email: 'ada@example.com', age: 36 });
    em.create(Person, { id: 2, name: 'Alan', email: null, age: null });
    em.create(Membership, { team: 1, person: 1, role: 'owner' });
  });
  const T2 = await step('bob', 'fix', () => {
    Object.assign(em.getReference(Person, 1), { email: 'ada.lovelace@example.com', age: 37 });
    Object.assign(em.getReference(Person, 2), { name: HOSTILE_NAME, email: FORMULA });
  });
  const T3 = await step('alice', 'left', () => em.remove(em.getReference(Person, 2)));
  return { T1, T2, T3 };
}

async function newestStamp(em: EntityManager): Promise<Date> {
  const [row] = await em.fork().find(auditOf(Person), {}, { orderBy: { _audit_id: 'desc' }, limit: 1 });
  return row!._audit_timestamp;
}
