// The history browser on the quickstart's data: the same Person changes by alice and bob (plus a Team edited in the
// same transaction, to show a transaction across entities), on an embedded SQLite file, served with node:http.
// Run with `npm run demo:browser` and open the printed URL; `-- --once` answers one request itself and exits.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Entity, MikroORM, PrimaryKey, Property } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { AuditTrail, allowAuditTableWrites, auditBrowser, auditContext, withAuditTrail } from '../src/index.js';

const username = { name: 'username', type: 'string', length: 30, value: () => auditContext.current()?.user ?? null } as const;

@Entity()
@AuditTrail({ showInAdmin: true, trackFields: [username] })
class Person {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) firstName!: string;
  @Property({ type: 'string' }) lastName!: string;
  @Property({ type: 'string', unique: true }) email!: string;
  @Property({ type: 'number', nullable: true }) age?: number | null;
}

@Entity()
@AuditTrail({ showInAdmin: true, trackFields: [username] })
class Team {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) name!: string;
}

const orm = await MikroORM.init(
  withAuditTrail({ driver: SqliteDriver, dbName: new URL('browser-demo.db', import.meta.url).pathname, entities: [Person, Team] }),
);
// The demo starts from scratch each run: dropping the audit tables is deliberate, so it is said so.
await allowAuditTableWrites(() => orm.schema.refreshDatabase());

const em = orm.em.fork();
await auditContext.run({ user: 'alice', reason: 'initial import' }, async () => {
  em.create(Person, { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', age: 36 });
  em.create(Person, { firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com', age: 41 });
  em.create(Person, { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' });
  em.create(Team, { name: 'Compilers' });
  await em.flush();
});
await auditContext.run({ user: 'bob', reason: 'address book update' }, async () => {
  const ada = await em.findOneOrFail(Person, { email: 'ada@example.com' });
  ada.age = 37;
  ada.email = 'ada.lovelace@example.com';
  (await em.findOneOrFail(Person, { email: 'grace@example.com' })).age = 85;
  (await em.findOneOrFail(Team, { name: 'Compilers' })).name = 'Compilers and languages';
  await em.flush();
});
await auditContext.run({ user: 'alice', reason: 'left the company' }, async () => {
  em.remove(await em.findOneOrFail(Person, { email: 'alan@example.com' }));
  await em.flush();
});

// Anyone who can reach 127.0.0.1 may read this demo's history; a real application checks its own session here.
const server = createServer(auditBrowser(orm, { authorize: () => true, title: 'Audit history (demo)' }));
await new Promise<void>(resolve => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
console.log(`History browser: ${url}`);

if (process.argv.includes('--once')) {
  // For the test: fetch the printed URL once, report its status, then stop.
  const response = await fetch(url);
  const page = await response.text();
  const listed = ['Person', 'Team'].filter(name => page.includes(`>${name}<`));
  console.log(`GET ${url} -> ${response.status}, lists ${listed.join(', ') || 'nothing'}`);
  server.close();
  await orm.close();
} else {
  console.log('Press Ctrl+C to stop.');
  process.once('SIGINT', () => {
    server.close();
    void orm.close();
  });
}
