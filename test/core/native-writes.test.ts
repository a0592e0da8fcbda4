import { beforeEach, describe, expect, it } from 'vitest';
import { MikroORM, type Options } from '@mikro-orm/core';
import { SqlEntityManager, SqliteDriver } from '@mikro-orm/sqlite';
import { AuditTrail, AuditTrailError, allowUnauditedWrites, auditContext, auditOf, withAuditTrail, type AuditRow } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { queryBuilder } from '../support/queryBuilder.js';
import { describeOnEachDatabase, type SuiteContext } from '../support/suite.js';

@Entity()
@AuditTrail({ trackFields: [{ name: 'username', type: 'string', length: 20, value: () => auditContext.current()?.user ?? null }] })
class Account {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) owner!: string;
  @Property({ type: 'number' }) balance!: number;
  @Property({ type: 'string', nullable: true }) note?: string | null;
}

@Entity()
class Setting {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) value!: string;
}

const AccountAudit = auditOf<typeof Account, { username: string | null }>(Account);

type Version = AuditRow<Account, { username: string | null }>;

// What a version says about the row and the change, without what differs by nature (audit id, time, transaction).
function content(row: Version): unknown[] {
  return [row.id, row.owner, row.balance, row.note, row._audit_change_type, row.username, row._audit_reason];
}

async function history({ t }: SuiteContext, id?: number): Promise<Version[]> {
  return t.orm.em.fork().find(AccountAudit, id === undefined ? {} : { id }, { orderBy: { _audit_id: 'asc' } });
}

describeOnEachDatabase('native and bulk writes', { file: import.meta.url, config: { entities: [Account, Setting] } }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));

  async function twins(): Promise<void> {
    const em = ctx.t.orm.em.fork();
    em.create(Account, { id: 1, owner: 'ada', balance: 10, note: 'n' });
    em.create(Account, { id: 2, owner: 'ada', balance: 10, note: 'n' });
    await em.flush();
  }

  it('nativeUpdate writes the U rows a flush of the same change writes, with actor and reason', async () => {
    await twins();
    const em = ctx.t.orm.em.fork();
    const viaFlush = await em.findOneOrFail(Account, 1);
    viaFlush.balance = 20;
    viaFlush.note = null;
    await auditContext.run({ user: 'grace', reason: 'fix' }, () => em.flush());
    const affected = await auditContext.run({ user: 'grace', reason: 'fix' }, () =>
      ctx.t.orm.em.fork().nativeUpdate(Account, { id: 2 }, { balance: 20, note: null }),
    );
    expect(affected).toBe(1);
    const [flushed, native] = [(await history(ctx, 1)).at(-1)!, (await history(ctx, 2)).at(-1)!];
    expect(content(native).slice(1)).toEqual(content(flushed).slice(1));
    expect(content(native)).toEqual([2, 'ada', 20, null, 'U', 'grace', 'fix']);
  });

  it('nativeDelete writes the D rows with the last state, before the rows go', async () => {
    await twins();
    const affected = await ctx.t.orm.em.fork().nativeDelete(Account, { owner: 'ada' });
    expect(affected).toBe(2);
    const deletes = (await history(ctx)).filter(row => row._audit_change_type === 'D');
    expect(deletes.map(content)).toEqual([
      [1, 'ada', 10, 'n', 'D', null, null],
      [2, 'ada', 10, 'n', 'D', null, null],
    ]);
  });

  it('insert and insertMany write I rows with the keys the database generated', async () => {
    const em = ctx.t.orm.em.fork();
    const id = await em.insert(Account, { owner: 'ada', balance: 1 });
    const ids = await em.insertMany(Account, [
      { owner: 'bob', balance: 2 },
      { owner: 'cy', balance: 3 },
    ]);
    const rows = await history(ctx);
    expect(rows.map(row => [row.id, row.owner, row._audit_change_type])).toEqual([
      [id, 'ada', 'I'],
      [ids[0], 'bob', 'I'],
      [ids[1], 'cy', 'I'],
    ]);
    expect(new Set(rows.map(row => row.id)).size).toBe(3);
  });

  it('writes inside the caller’s transaction: a rollback leaves neither the change nor its history', async () => {
    await twins();
    await expect(
      ctx.t.orm.em.fork().transactional(async em => {
        await em.nativeUpdate(Account, { id: 1 }, { balance: 99 });
        await em.insert(Account, { id: 3, owner: 'x', balance: 0 });
        await em.nativeDelete(Account, { id: 2 });
        expect(await em.count(AccountAudit)).toBe(5);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await history(ctx)).toHaveLength(2);
    expect((await ctx.t.orm.em.fork().findOneOrFail(Account, 1)).balance).toBe(10);
  });

  it('leaves no audit row of any write path when the transaction rolls back', async () => {
    await twins();
    await expect(
      ctx.t.orm.em.fork().transactional(async em => {
        await em.insertMany(Account, [{ id: 3, owner: 'x', balance: 0 }]);
        await em.upsert(Account, { id: 1, owner: 'ada', balance: 5 });
        await em.upsertMany(Account, [{ id: 4, owner: 'y', balance: 0 }]);
        await queryBuilder(em, Account).insert({ id: 5, owner: 'z', balance: 0 }).execute();
        await queryBuilder(em, Account).update({ balance: 7 }).where({ id: 2 }).execute();
        await queryBuilder(em, Account).delete().where({ id: 3 }).execute();
        expect(await em.count(AccountAudit)).toBe(8);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await history(ctx)).toHaveLength(2);
    expect(await ctx.t.orm.em.fork().count(Account)).toBe(2);
  });

  it('audits a 10,000-row nativeUpdate in the same number of statements as a 10-row one', async () => {
    const statementsFor = async (rows: number) => {
      await refreshSchema(ctx.t.orm);
      const em = ctx.t.orm.em.fork();
      await allowUnauditedWrites(async () => {
        for (let start = 0; start < rows; start += 1000) {
          const values = Array.from({ length: Math.min(1000, rows - start) }, (_, i) => `(${start + i + 1}, 'ada', 0)`);
          await em.getConnection().execute(`insert into account (id, owner, balance) values ${values.join(', ')}`);
        }
      });
      ctx.t.reset();
      await ctx.t.orm.em.fork().nativeUpdate(Account, { owner: 'ada' }, { balance: 1 });
      const statements = ctx.t.queries.length;
      expect(await ctx.t.orm.em.fork().count(AccountAudit, { _audit_change_type: 'U', balance: 1 })).toBe(rows);
      return statements;
    };
    const small = await statementsFor(10);
    const large = await statementsFor(10_000);
    expect(large).toBe(small);
    // begin, read the keys, update, copy the rows, commit.
    expect(small).toBeLessThanOrEqual(5);
  });

  it('audits query-builder update() and delete() run in a transaction, like nativeUpdate and nativeDelete', async () => {
    await twins();
    await auditContext.run({ user: 'grace' }, () =>
      ctx.t.orm.em.fork().transactional(async em => {
        await queryBuilder(em, Account).update({ balance: 30 }).where({ id: 1 }).execute();
        await queryBuilder(em, Account).delete().where({ id: 2 }).execute();
      }),
    );
    const rows = (await history(ctx)).slice(2).map(content);
    expect(rows).toEqual([
      [1, 'ada', 30, 'n', 'U', 'grace', null],
      [2, 'ada', 10, 'n', 'D', 'grace', null],
    ]);
  });

  it('audits query-builder insert() run in a transaction, with generated and given keys', async () => {
    await ctx.t.orm.em.fork().transactional(async em => {
      await queryBuilder(em, Account).insert([{ owner: 'ada', balance: 1 }, { owner: 'bob', balance: 2 }]).execute();
      await queryBuilder(em, Account).insert({ id: 50, owner: 'cy', balance: 3 }).execute();
    });
    const rows = (await history(ctx)).map(row => [row.owner, row._audit_change_type]);
    expect(rows).toEqual([
      ['ada', 'I'],
      ['bob', 'I'],
      ['cy', 'I'],
    ]);
    const live = await ctx.t.orm.em.fork().find(Account, {}, { orderBy: { id: 'asc' } });
    expect((await history(ctx)).map(row => row.id)).toEqual(live.map(account => account.id));
  });

  it('refuses a query-builder insert with onConflict(), which may update rows', async () => {
    const attempt = ctx.t.orm.em.fork().transactional(async em => {
      await queryBuilder(em, Account).insert({ id: 1, owner: 'ada', balance: 1 }).onConflict(['id']).merge().execute();
    });
    await expect(attempt).rejects.toThrow(/A query builder's insert\(\) with onConflict\(\) on the audited entity Account may update existing rows .* Use em\.upsert\(\)/);
    expect(await ctx.t.orm.em.fork().count(Account)).toBe(0);
  });

  it('leaves unaudited entities alone', async () => {
    const em = ctx.t.orm.em.fork();
    ctx.t.reset();
    await em.insert(Setting, { id: 1, value: 'a' });
    await em.nativeUpdate(Setting, { id: 1 }, { value: 'b' });
    await em.upsert(Setting, { id: 1, value: 'c' });
    await em.nativeDelete(Setting, { id: 1 });
    expect(ctx.t.queries.filter(query => /audit/.test(query))).toEqual([]);
  });

  it('upsert and upsertMany write I for the rows they insert and U for the rows they update', async () => {
    await twins();
    const em = ctx.t.orm.em.fork();
    await em.upsert(Account, { id: 3, owner: 'cy', balance: 3 });
    await em.upsert(Account, { id: 1, owner: 'ada', balance: 11 });
    await ctx.t.orm.em.fork().upsertMany(Account, [
      { id: 2, owner: 'ada', balance: 12 },
      { id: 4, owner: 'dee', balance: 4 },
    ]);
    const rows = (await history(ctx)).slice(2);
    expect(rows.map(row => [row.id, row._audit_change_type, row.balance])).toEqual([
      [3, 'I', 3],
      [1, 'U', 11],
      [2, 'U', 12],
      [4, 'I', 4],
    ]);
  });

  it('refuses an upsert whose matching fields cannot be told, before it reaches the database', async () => {
    const em = ctx.t.orm.em.fork();
    await expect(em.upsertMany(Account, [{ id: 1, owner: 'ada', balance: 1 }, { owner: 'bob', balance: 2 }])).rejects.toThrow(AuditTrailError);
    await expect(em.upsertMany(Account, [{ id: 1, owner: 'ada', balance: 1 }, { owner: 'bob', balance: 2 }])).rejects.toThrow(
      /em\.upsertMany\(\) on the audited entity Account cannot be audited: the fields it matches existing rows on cannot be told/,
    );
    expect(await ctx.t.orm.em.fork().count(Account)).toBe(0);
  });
});

describe('the audited EntityManager class', () => {
  it('extends the EntityManager class the config names, keeping its own methods', async () => {
    class AppEntityManager extends SqlEntityManager {
      greeting(): string {
        return 'hello';
      }
    }
    const orm = await MikroORM.init(
      withAuditTrail({ driver: SqliteDriver, dbName: ':memory:', entities: [Account, Setting], entityManager: AppEntityManager } as Options),
    );
    try {
      await refreshSchema(orm);
      const em = orm.em.fork();
      expect(em).toBeInstanceOf(AppEntityManager);
      expect((em as unknown as AppEntityManager).greeting()).toBe('hello');
      await em.insert(Account, { id: 1, owner: 'ada', balance: 1 });
      expect(await orm.em.fork().count(AccountAudit)).toBe(1);
    } finally {
      await orm.close(true);
    }
  });
});
