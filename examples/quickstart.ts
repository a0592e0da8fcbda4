// Quickstart: an audited Person entity on an embedded SQLite file, changed by two users, then its history.
// Run with `npm run demo`.
import { Entity, MikroORM, PrimaryKey, Property } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { AuditTrail, allowAuditTableWrites, auditContext, auditOf, withAuditTrail, type AuditRow } from '../src/index.js';

@Entity()
@AuditTrail({
  trackFields: [{ name: 'username', type: 'string', length: 30, value: () => auditContext.current()?.user ?? null }],
})
class Person {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) firstName!: string;
  @Property({ type: 'string' }) lastName!: string;
  @Property({ type: 'string', unique: true }) email!: string;
  @Property({ type: 'number', nullable: true }) age?: number | null;
}

const PersonAudit = auditOf<typeof Person, { username: string | null }>(Person);
type PersonVersion = AuditRow<Person, { username: string | null }>;

const orm = await MikroORM.init(
  withAuditTrail({ driver: SqliteDriver, dbName: new URL('quickstart.db', import.meta.url).pathname, entities: [Person] }),
);
// The demo starts from scratch each run: dropping the audit table is deliberate, so it is said so.
await allowAuditTableWrites(() => orm.schema.refreshDatabase());

const em = orm.em.fork();
await auditContext.run({ user: 'alice' }, async () => {
  em.create(Person, { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', age: 36 });
  em.create(Person, { firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com', age: 41 });
  em.create(Person, { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' });
  await em.flush();
});

await auditContext.run({ user: 'bob' }, async () => {
  const ada = await em.findOneOrFail(Person, { email: 'ada@example.com' });
  const grace = await em.findOneOrFail(Person, { email: 'grace@example.com' });
  ada.age = 37;
  ada.email = 'ada.lovelace@example.com';
  grace.age = 85;
  await em.flush();
});

await auditContext.run({ user: 'alice' }, async () => {
  em.remove(await em.findOneOrFail(Person, { email: 'alan@example.com' }));
  await em.flush();
});

const history = await orm.em.fork().find(PersonAudit, {}, { orderBy: { _audit_timestamp: 'asc', _audit_id: 'asc' } });
console.log(renderHistory(history));
await orm.close();

function renderHistory(rows: PersonVersion[]): string {
  const columns = ['firstName', 'lastName', 'email', 'age'] as const;
  const previous = new Map<number, PersonVersion>();
  const lines = rows.map(row => {
    const before = previous.get(row.id!);
    previous.set(row.id!, row);
    const changed =
      row._audit_change_type === 'U' && before
        ? columns.filter(c => before[c] !== row[c]).map(c => `${c}: ${String(before[c])} → ${String(row[c])}`)
        : columns.map(c => `${c}=${String(row[c])}`);
    return [row._audit_change_type ?? '-', row._audit_timestamp.toISOString(), row.username ?? '-', `Person #${row.id}`, changed.join(', ')];
  });
  const header = ['type', 'timestamp', 'user', 'row', 'changed values'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map(l => l[i]!.length)));
  const format = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ');
  return [format(header), widths.map(w => '-'.repeat(w)).join('-+-'), ...lines.map(format)].join('\n');
}
