// A query builder's multi-row insert reports only the first generated key on MySQL/MariaDB (`insertId`); the
// others are `auto_increment_increment` apart, which is not 1 on a multi-primary or Galera cluster. The audit
// rows' keys must be the keys the database gave. SQLite and PostgreSQL return every key (`returning`), so there
// the test only checks they agree; the increment is set on MariaDB alone, the one database that has it.
import { expect, it } from 'vitest';
import type { SqlEntityManager } from '@mikro-orm/sqlite';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Ticket {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}

const TicketAudit = auditOf(Ticket);

describeOnEachDatabase('query-builder insert keys', { file: import.meta.url, config: { entities: [Ticket] } }, ctx => {
  it('records the keys the database generated, whatever the auto-increment step', async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork() as unknown as SqlEntityManager;
    const mysql = ctx.db.name === 'mariadb';
    await em.transactional(async trx => {
      if (mysql) {
        await trx.execute('set session auto_increment_increment = 3');
      }
      try {
        await trx.createQueryBuilder(Ticket).insert([{ title: 'a' }, { title: 'b' }, { title: 'c' }]).execute();
      } finally {
        if (mysql) {
          await trx.execute('set session auto_increment_increment = 1');
        }
      }
    });
    const tickets = await ctx.t.orm.em.fork().find(Ticket, {}, { orderBy: { id: 'asc' } });
    const history = await ctx.t.orm.em.fork().find(TicketAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(history.map(row => [row.id, row.title, row._audit_change_type])).toEqual(tickets.map(t => [t.id, t.title, 'I']));
    if (mysql) {
      expect(tickets.map(t => t.id)).toEqual([1, 4, 7]);
    }
  });
});
