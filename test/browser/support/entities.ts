import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditOf } from '../../../src/index.js';
import { Entity, PrimaryKey, Property } from '../../support/mikro.js';

/** The browser tests' audit context: the actor and reason, plus where the change came from (a track field). */
export interface BrowserContext {
  user?: string | null;
  reason?: string | null;
  origin?: string;
}

@Entity()
@AuditTrail({
  showInAdmin: true,
  trackFields: [{ name: 'origin', type: 'string', value: ({ context }) => (context as BrowserContext | undefined)?.origin ?? null }],
})
export class Person {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', length: 500 }) name!: string;
  @Property({ type: 'string', nullable: true, length: 500 }) note?: string | null;
}

@Entity()
@AuditTrail({ showInAdmin: true })
export class Ticket {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

/** Audited, but not shown in the browser. */
@Entity()
@AuditTrail()
export class Secret {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) value!: string;
}

export const PersonAudit = auditOf(Person);
export const TicketAudit = auditOf(Ticket);
export const SecretAudit = auditOf(Secret);
export const ENTITIES = [Person, Ticket, Secret];

/** The instants just after each step of `seedHistory`, as the database stamped them. */
export interface SeededHistory {
  /** Transaction id of the first step (Person 1-3, Ticket 1 and Secret 1 created together). */
  readonly firstTx: string;
  readonly afterCreate: Date;
  readonly afterRename: Date;
  readonly afterDelete: Date;
}

/**
 * A small history: people 1-3, a ticket and a secret created in one transaction by alice (origin web), person 1
 * renamed by bob (origin cli, reason 'typo'), person 2 deleted by alice, then `extra` more people, one flush each.
 */
export async function seedHistory(orm: MikroORM, extra: number): Promise<SeededHistory> {
  const em = orm.em.fork();
  const step = async (context: BrowserContext, change: () => void): Promise<Date> => {
    await auditContext.run(context, async () => {
      change();
      await em.flush();
    });
    const [newest] = await em.fork().find(PersonAudit, {}, { orderBy: { _audit_id: 'desc' }, limit: 1 });
    await sleep(5);
    return newest!._audit_timestamp;
  };
  const afterCreate = await step({ user: 'alice', origin: 'web' }, () => {
    for (const id of [1, 2, 3]) {
      em.create(Person, { id, name: `person ${id}`, note: null });
    }
    em.create(Ticket, { id: 1, title: 'first ticket' });
    em.create(Secret, { id: 1, value: 'top secret value' });
  });
  const afterRename = await step({ user: 'bob', origin: 'cli', reason: 'typo' }, () => {
    em.getReference(Person, 1).name = 'person one';
  });
  const afterDelete = await step({ user: 'alice', origin: 'web' }, () => em.remove(em.getReference(Person, 2)));
  for (let i = 0; i < extra; i++) {
    await step({ user: i % 2 ? 'carol' : 'dave', origin: i % 3 ? 'web' : 'api' }, () => {
      em.create(Person, { id: 100 + i, name: `extra ${i}` });
    });
  }
  const [first] = await em.fork().find(PersonAudit, { id: 1 }, { orderBy: { _audit_id: 'asc' }, limit: 1 });
  return { firstTx: first!._audit_transaction!, afterCreate, afterRename, afterDelete };
}

/** Every audit row of Person, newest first, as the tests compare pages with. */
export function personRows(em: EntityManager) {
  return em.fork().find(PersonAudit, {}, { orderBy: { _audit_id: 'desc' } });
}
