// A flush that updates several rows, of which the first was deleted by another connection while the flush waited
// for its lock: the update changed nothing there and gets no version, and the versions of the other rows still
// chain (the pre-read's first row is then not the batch's first, and carries the values the statement shares).
import { expect, it } from 'vitest';
import type { EntityManager } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditOf } from '../../src/index.js';
import { isolationLevelsOf } from '../support/isolation.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { isSerializationFailure } from '../support/race.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';
import { expectChainsIntact } from '../support/chains.js';

@Entity()
@AuditTrail({ tamperEvidence: true })
class Ticket {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'string' }) state!: string;
}

const TicketAudit = auditOf(Ticket);

describeOnEachDatabase('tamper evidence: an update batch whose first row is gone', { file: import.meta.url, config: { entities: [Ticket] }, databases: SERVER_DATABASES }, ctx => {
  const fork = () => ctx.t.orm.em.fork();
  const closeAll = async (em: EntityManager) => {
    const tickets = await em.find(Ticket, {}, { orderBy: { id: 'asc' } });
    tickets.forEach(ticket => (ticket.state = 'closed'));
    await auditContext.run({ user: 'closer', reason: 'close all' }, () => em.flush());
  };

  it('chains the versions of the rows that are still there', async () => {
    for (const isolationLevel of isolationLevelsOf(ctx.db)) {
      await refreshSchema(ctx.t.orm);
      await fork().insertMany(Ticket, [1, 2, 3].map(id => ({ id, state: 'open' })));
      const b = fork();
      await b.begin({ isolationLevel });
      const loaded = await b.find(Ticket, {}, { orderBy: { id: 'asc' } });
      // Another connection deletes the first row and commits; then the loaded rows are all updated in one flush.
      expect(await fork().nativeDelete(Ticket, { id: 1 })).toBe(1);
      loaded.forEach(ticket => (ticket.state = 'closed'));
      let committed = true;
      try {
        await auditContext.run({ user: 'closer', reason: 'close all' }, () => b.flush());
        await b.commit();
      } catch (error) {
        await b.rollback();
        // PostgreSQL's REPEATABLE READ refuses to update a row deleted since its snapshot; nothing is written then.
        expect(isSerializationFailure({ committed: false, error })).toBe(true);
        committed = false;
      }
      const versions = await fork().find(TicketAudit, { _audit_change_type: 'U' }, { orderBy: { _audit_id: 'asc' } });
      expect(versions.map(row => [row.id, row.state, row._audit_actor])).toEqual(committed ? [[2, 'closed', 'closer'], [3, 'closed', 'closer']] : []);
      const report = await expectChainsIntact(fork(), Ticket);
      // Three I versions, the other connection's D version, and the U versions.
      expect(report.chained).toBe(4 + versions.length);
      await closeAll(fork());
    }
  });
});
