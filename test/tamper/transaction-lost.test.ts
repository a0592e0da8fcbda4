// MySQL/MariaDB end the whole transaction on a deadlock (savepoints too); an application that catches the error
// and goes on sends its next statements outside any transaction, each committed on its own. Tamper-evident audit
// rows are then refused: the pre-read and the INSERT would not see the same row (found by review, with eight
// writers and savepoints: a false 'changed'). The transaction is ended here with a plain COMMIT, the same state
// without the timing. The application's own UPDATE has then already committed on its own: the error is what is
// left to tell it. PostgreSQL refuses every statement of an aborted transaction, and SQLite has one writer.
import { expect, it } from 'vitest';
import { AuditTrail, auditOf, type AuditTrailError } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase, SERVER_DATABASES } from '../support/suite.js';
import { expectChainsIntact } from '../support/chains.js';

@Entity()
@AuditTrail({ tamperEvidence: true })
class Account {
  @PrimaryKey({ type: 'number', autoincrement: false }) id!: number;
  @Property({ type: 'number' }) balance!: number;
}

const AccountAudit = auditOf(Account);
const MARIADB = SERVER_DATABASES.filter(db => db.name === 'mariadb');

describeOnEachDatabase('tamper evidence after MySQL/MariaDB ended the transaction', { file: import.meta.url, config: { entities: [Account] }, databases: MARIADB }, ctx => {
  it('refuses to write audit rows outside the transaction, naming the entity and the fix', async () => {
    await refreshSchema(ctx.t.orm);
    await ctx.t.orm.em.fork().insert(Account, { id: 1, balance: 10 });
    const error = await ctx.t.orm.em
      .fork()
      .transactional(async em => {
        await em.getConnection().execute('commit', [], 'run', em.getTransactionContext());
        (await em.findOneOrFail(Account, 1)).balance = 20;
        await em.flush();
      })
      .catch((e: unknown) => e as AuditTrailError);
    expect(error).toMatchObject({ code: 'AUDIT_TRANSACTION_LOST', entity: 'Account' });
    expect(String((error as Error).message)).toMatch(/Retry the whole transaction/);
    const versions = await ctx.t.orm.em.fork().find(AccountAudit, {});
    expect(versions.map(row => row._audit_change_type)).toEqual(['I']);
    expect((await ctx.t.orm.em.fork().findOneOrFail(Account, 1)).balance).toBe(20);
    await expectChainsIntact(ctx.t.orm.em.fork(), Account);
  });
});
