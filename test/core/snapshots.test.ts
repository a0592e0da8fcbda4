import { expect, it } from 'vitest';
import type { Ref } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditHistory, auditOf } from '../../src/index.js';
import { Entity, ManyToOne, PrimaryKey, Property } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
class Team {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

@Entity()
@AuditTrail({ trackFields: [{ name: 'username', type: 'string', length: 30, value: () => auditContext.current()?.user ?? null }] })
class Person {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) firstName!: string;
  @Property({ type: 'string', unique: true }) email!: string;
  @Property({ type: 'number', nullable: true }) age?: number | null;
  @ManyToOne(() => Team, { nullable: true, ref: true, deleteRule: 'set null' }) team?: Ref<Team> | null;
}

const PersonAudit = auditOf<typeof Person, { username: string | null }>(Person);

describeOnEachDatabase('snapshots', { file: import.meta.url, config: { entities: [Team, Person] } }, ctx => {
  it('writes an I row with the generated id and every column', async () => {
    const em = ctx.t.orm.em.fork();
    const team = em.create(Team, { name: 'Red' });
    const person = em.create(Person, { firstName: 'Ada', email: 'ada@example.com', age: 36, team });
    await auditContext.run({ user: 'alice' }, () => em.flush());

    const rows = await em.fork().find(PersonAudit, { id: person.id });
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(person.id).toBeGreaterThan(0);
    expect(row).toMatchObject({
      id: person.id,
      firstName: 'Ada',
      email: 'ada@example.com',
      age: 36,
      username: 'alice',
      _audit_change_type: 'I',
    });
    expect(row!.team?.id).toBe(team.id);
    expect(row!._audit_timestamp).toBeInstanceOf(Date);
    expect(Math.abs(row!._audit_timestamp.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('writes U rows with the full new state and D rows with the last state', async () => {
    const em = ctx.t.orm.em.fork();
    const person = em.create(Person, { firstName: 'Grace', email: 'grace@example.com', age: 40 });
    await auditContext.run({ user: 'alice' }, () => em.flush());
    person.age = 41;
    await auditContext.run({ user: 'bob' }, () => em.flush());
    em.remove(person);
    await auditContext.run({ user: 'carol' }, () => em.flush());

    const history = await auditHistory<typeof Person, { username: string | null }>(em.fork(), Person, person.id);
    expect(history.map(r => [r._audit_change_type, r.firstName, r.age, r.username])).toEqual([
      ['D', 'Grace', 41, 'carol'],
      ['U', 'Grace', 41, 'bob'],
      ['I', 'Grace', 40, 'alice'],
    ]);
  });
});
