// The history the browser end-to-end tests read: four days of changes by three people to entities shown in the
// browser (Person, Project) and one that is not (Secret). Each day is one transaction; its audit rows are then
// stamped 09:00 UTC of that day, so instants between days are simple to type into the as-of form.
import type { EntityManager, EntitySchema } from '@mikro-orm/core';
import { AuditTrail, allowAuditTableWrites, auditContext, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property } from '../support/mikro.js';

declare module '../../src/context/AuditContext.js' {
  interface AuditContextData {
    /** Stored in the `ticket` track field. */
    ticket?: string;
  }
}

const ticket = { name: 'ticket', type: 'string', length: 200, value: () => auditContext.current()?.ticket ?? null } as const;

@Entity({ tableName: 'e2e_person' })
@AuditTrail({ showInAdmin: true, trackFields: [ticket] })
export class Person {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', length: 200 }) name!: string;
  @Property({ type: 'string', length: 200, nullable: true }) website?: string | null;
  @Property({ type: 'number', nullable: true }) age?: number | null;
}

@Entity({ tableName: 'e2e_project' })
@AuditTrail({ showInAdmin: true, trackFields: [ticket] })
export class Project {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', length: 200 }) title!: string;
}

@Entity({ tableName: 'e2e_secret' })
@AuditTrail()
export class Secret {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', length: 200 }) code!: string;
}

export const ENTITIES = [Person, Project, Secret];
export const PersonAudit = auditOf(Person);
export const ProjectAudit = auditOf(Project);
export const SecretAudit = auditOf(Secret);

/** 09:00 UTC of day `n` of March 2024: when the fixture's day-`n` transaction is stamped. */
export const day = (n: number): Date => new Date(Date.UTC(2024, 2, n, 9));

/** Person versions in the fixture: 12 inserts, 4 updates by bob, 3 by alice, 1 delete by carol. */
export const PERSON_VERSIONS = 20;

/** One day of changes as `user`, in one transaction; returns that transaction's id (every day changes a Person). */
async function asUser(em: EntityManager, user: string, reason: string, change: () => Promise<void> | void): Promise<string> {
  await auditContext.run({ user, reason, ticket: `T-${user}` }, async () => {
    await change();
    await em.flush();
  });
  const [newest] = await em.fork().find(PersonAudit, {}, { orderBy: { _audit_id: 'desc' }, limit: 1 });
  return String(newest!._audit_transaction);
}

/** Writes the four days of history, then stamps each day's audit rows with `day(n)`; returns the days' transactions. */
export async function seedHistory(em: EntityManager): Promise<string[]> {
  const transactions: string[] = [];
  transactions.push(
    await asUser(em, 'alice', 'import', () => {
      em.create(Person, { id: 1, name: 'Ada Lovelace', website: 'https://ada.example', age: 36 });
      em.create(Person, { id: 2, name: 'Alan Turing', age: 41 });
      em.create(Person, { id: 3, name: 'Grace Hopper' });
      for (let id = 4; id <= 12; id++) {
        em.create(Person, { id, name: `Person ${id}`, age: 20 + id });
      }
      em.create(Project, { id: 1, title: 'Engine' });
      em.create(Secret, { id: 1, code: 'top-secret-code' });
    }),
  );
  transactions.push(
    await asUser(em, 'bob', 'birthday', async () => {
      const project = await em.findOneOrFail(Project, 1);
      const [ada, grace, p4, p5] = await em.find(Person, { id: [1, 3, 4, 5] }, { orderBy: { id: 'asc' } });
      ada!.age = 37;
      grace!.age = 85;
      p4!.name = 'Person four';
      p5!.name = 'Person five';
      project.title = 'Analytical Engine';
    }),
  );
  transactions.push(
    await asUser(em, 'alice', 'cleanup', async () => {
      // Loaded first: a query for Person would flush a pending Person change (flush mode AUTO) in its own transaction.
      for (const person of await em.find(Person, { id: [6, 7, 8] })) {
        person.age = null;
      }
    }),
  );
  transactions.push(await asUser(em, 'carol', 'left', async () => {
    em.remove(await em.findOneOrFail(Person, 2));
  }));
  await stampByDay(em, transactions);
  const stamped = await em.fork().find(PersonAudit, {}, { fields: ['_audit_transaction'] });
  const strays = stamped.filter(version => !transactions.includes(String(version._audit_transaction)));
  if (strays.length > 0) {
    throw new Error(`the fixture wrote ${strays.length} Person versions outside its four transactions`);
  }
  return transactions;
}

/** Every audit row of `transactions[i]` gets `day(i + 1)`. */
export async function stampByDay(em: EntityManager, transactions: readonly string[]): Promise<void> {
  await allowAuditTableWrites(async () => {
    for (const [index, transaction] of transactions.entries()) {
      for (const audit of [PersonAudit, ProjectAudit, SecretAudit] as EntitySchema[]) {
        await em.fork().nativeUpdate(audit, { _audit_transaction: transaction } as never, { _audit_timestamp: day(index + 1) } as never);
      }
    }
  });
}
