// Review of issue 13: masked and excluded fields, numbers in CSV, composite keys paged by asOf, and an entity whose
// class name is not Latin-1, through the browser on every database.
import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AuditTrail, auditBrowser, auditContext } from '../../src/index.js';
import { describeOnEachDatabase } from '../support/suite.js';
import { Entity, PrimaryKey, Property } from '../support/mikro.js';
import { close, hrefOf, listen } from '../browser/support/server.js';

@Entity()
@AuditTrail({ showInAdmin: true, exclude: ['secretHash'], mask: { ssn: () => '***-**-0000' } })
class Ledger {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'decimal', precision: 10, scale: 2 }) amount!: string;
  @Property({ type: 'bigint' }) big!: string | bigint;
  @Property({ type: 'string' }) secretHash!: string;
  @Property({ type: 'string' }) ssn!: string;
}

@Entity()
@AuditTrail({ showInAdmin: true })
class Membership {
  @PrimaryKey({ type: 'string', length: 50 }) team!: string;
  @PrimaryKey({ type: 'number' }) member!: number;
  @Property({ type: 'string' }) role!: string;
}

@Entity({ tableName: 'order_jp' })
@AuditTrail({ showInAdmin: true, tableName: 'order_jp_audit' })
class 注文 {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) item!: string;
}

const TEAMS = ['a"b', 'a,b', 'a', "o'b", 'z\\'];

describeOnEachDatabase('history browser on other entity shapes', { file: import.meta.url, config: { entities: [Ledger, Membership, 注文] } }, ctx => {
  let server: Server | undefined;
  let url = '';
  const get = async (query: string) => {
    const response = await fetch(`${url}/${query}`);
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  beforeAll(async () => {
    const em = ctx.t.orm.em.fork();
    await auditContext.run({ user: 'alice' }, async () => {
      em.create(Ledger, { id: 1, amount: '-12.50', big: '-5', secretHash: 'HASH-SHOULD-NOT-SHOW', ssn: '123-45-6789' });
      for (const [i, team] of TEAMS.entries()) {
        em.create(Membership, { team, member: 1, role: 'member' });
        em.create(Membership, { team, member: 2 + i, role: 'owner' });
      }
      em.create(注文, { id: 1, item: 'tea' });
      await em.flush();
    });
    await auditContext.run({ user: 'bob' }, async () => {
      const ledger = em.getReference(Ledger, 1);
      ledger.secretHash = 'HASH-2-SHOULD-NOT-SHOW';
      ledger.ssn = '999-99-9999';
      ledger.amount = '-13.00';
      await em.flush();
    });
    ({ url, server } = await listen(auditBrowser(ctx.t.orm, { authorize: () => true, pageSize: 3 })));
  });
  afterAll(() => close(server));

  it('shows excluded fields nowhere and masked fields only masked, on every page and export', async () => {
    const at = new Date(Date.now() + 60_000).toISOString();
    for (const query of [
      '?view=history&entity=Ledger',
      '?view=row&entity=Ledger&key=1',
      `?view=asof&entity=Ledger&at=${at}`,
      `?view=asof&entity=Ledger&at=${at}&key=1`,
      '?view=export&entity=Ledger&format=csv',
      '?view=export&entity=Ledger&format=json',
    ]) {
      const { status, text } = await get(query);
      expect(status, query).toBe(200);
      expect(text, query).not.toMatch(/secretHash|secret_hash|HASH-|123-45|999-99/);
      expect(text, query).toContain('***-**-0000');
    }
  });

  it('pages the state at an instant over a composite key, every row once, keys with quotes and commas included', async () => {
    const at = new Date(Date.now() + 60_000).toISOString();
    const seen: string[] = [];
    let query: string | undefined = `?view=asof&entity=Membership&at=${at}`;
    while (query !== undefined) {
      const { status, text } = await get(query);
      expect(status, query).toBe(200);
      seen.push(...[...text.matchAll(/href="\?view=row&amp;entity=Membership&amp;key=([^"]*)"/g)].map(m => decodeURIComponent(m[1]!.replaceAll('&amp;', '&').replaceAll('+', ' '))));
      query = hrefOf(text, /<a href="([^"]*)" rel="next">Next<\/a>/);
    }
    expect(seen.length).toBe(TEAMS.length * 2);
    expect(new Set(seen).size).toBe(seen.length);
    // Every key's timeline answers.
    for (const key of seen) {
      const { status, text } = await get(`?view=row&entity=Membership&key=${encodeURIComponent(key)}`);
      expect(status, key).toBe(200);
      expect(text, key).toContain('Version ');
    }
  });

  it('exports an entity whose class name is not Latin-1', async () => {
    const page = await get(`?view=history&entity=${encodeURIComponent('注文')}`);
    expect(page.status).toBe(200);
    const csv = await get(`?view=export&entity=${encodeURIComponent('注文')}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(csv.text).toContain('tea');
  });
});
