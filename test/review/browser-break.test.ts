// Review of issue 13: read-only, authorization, concurrency, paging under inserts and error paths of the browser.
import { connect } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditBrowser, auditContext } from '../../src/index.js';
import { describeOnEachDatabase } from '../support/suite.js';
import { ENTITIES, Person, personRows, seedHistory, type SeededHistory } from '../browser/support/entities.js';
import { close, hrefOf, idsOf, listen } from '../browser/support/server.js';

describeOnEachDatabase('history browser under attack', { file: import.meta.url, config: { entities: ENTITIES } }, ctx => {
  let server: Server | undefined;
  let url = '';
  let seeded: SeededHistory;
  const get = async (query: string, init?: RequestInit) => {
    const response = await fetch(`${url}/${query}`, init);
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  beforeAll(async () => {
    seeded = await seedHistory(ctx.t.orm, 12);
    ({ url, server } = await listen(auditBrowser(ctx.t.orm, { authorize: () => true, pageSize: 5 })));
  });
  afterAll(() => close(server));

  it('sends nothing but reads to the database, on every page, export, HEAD and error path', async () => {
    const at = new Date(Date.now() + 60_000).toISOString();
    const queries = [
      '',
      '?view=history&entity=Person',
      '?view=history&entity=Person&before=5&type=I,U&field=_audit_actor&value=alice&from=2000-01-01&to=2999-01-01&key=1',
      '?view=history&entity=Person&after=2',
      '?view=row&entity=Person&key=1',
      `?view=asof&entity=Person&at=${at}`,
      `?view=asof&entity=Person&at=${at}&afterKey=2`,
      `?view=asof&entity=Person&at=${at}&key=1`,
      `?view=tx&tx=${encodeURIComponent(seeded.firstTx)}`,
      '?view=export&entity=Person&format=csv',
      '?view=export&entity=Person&format=json&type=D',
      '?view=history&entity=Secret',
      '?view=row&entity=Person&key=abc',
    ];
    ctx.t.reset();
    for (const query of queries) {
      await get(query);
      await get(query, { method: 'HEAD' });
    }
    const statements = ctx.t.queries.map(q => q.replace(/^\[query\]\s*/, '').trim());
    expect(statements.length).toBeGreaterThan(10);
    // On MySQL/MariaDB each request reads in a read-only transaction with backslash escapes on (readSession.ts).
    const session = /^(set transaction read only|begin|commit|rollback|set @mikro_orm_audit_trail_sql_mode = @@session\.sql_mode|set session sql_mode = (replace\(@@session\.sql_mode, 'NO_BACKSLASH_ESCAPES', ''\)|@mikro_orm_audit_trail_sql_mode))$/i;
    const writes = statements.filter(q => !/^(\(?select|with|show|pragma)\b/i.test(q) && !session.test(q.replace(/ \[took .*$/, '').trim()));
    expect(writes).toEqual([]);
  });

  it('lets in only authorize() === true: truthy non-true values, thenables of them and rejections are 403', async () => {
    const refusals: ((req: unknown) => unknown)[] = [
      () => 'true',
      () => 1,
      () => ({}),
      () => [true],
      () => Promise.resolve('yes'),
      () => ({ then: (resolve: (v: unknown) => void) => resolve(1) }),
      () => Promise.reject(new Error('no')),
      () => {
        throw new Error('no');
      },
    ];
    for (const authorize of refusals) {
      const refused = await listen(auditBrowser(ctx.t.orm, { authorize: authorize as () => boolean }));
      try {
        for (const query of ['?view=history&entity=Person', '?view=export&entity=Person&format=json', `?view=tx&tx=${seeded.firstTx}`]) {
          for (const method of ['GET', 'HEAD']) {
            const response = await fetch(`${refused.url}/${query}`, { method });
            const text = await response.text();
            expect(response.status, `${authorize.toString()} ${method} ${query}`).toBe(403);
            expect(response.headers.get('content-disposition')).toBeNull();
            expect(text).not.toContain('person ');
            expect(text).not.toContain('alice');
          }
        }
      } finally {
        await close(refused.server);
      }
    }
  });

  it('answers 50 concurrent requests with different filters each with its own rows (no shared identity map)', async () => {
    const rows = await personRows(ctx.t.orm.em);
    const big = await listen(auditBrowser(ctx.t.orm, { authorize: () => true, pageSize: 500 }));
    try {
      const filters = ['field=_audit_actor&value=alice', 'field=_audit_actor&value=bob', 'field=_audit_actor&value=carol', 'type=U', 'type=D', 'key=1', 'field=origin&value=api'];
      const expected: Record<string, number[]> = {
        'field=_audit_actor&value=alice': rows.filter(r => r._audit_actor === 'alice').map(r => r._audit_id),
        'field=_audit_actor&value=bob': rows.filter(r => r._audit_actor === 'bob').map(r => r._audit_id),
        'field=_audit_actor&value=carol': rows.filter(r => r._audit_actor === 'carol').map(r => r._audit_id),
        'type=U': rows.filter(r => r._audit_change_type === 'U').map(r => r._audit_id),
        'type=D': rows.filter(r => r._audit_change_type === 'D').map(r => r._audit_id),
        'key=1': rows.filter(r => r.id === 1).map(r => r._audit_id),
        'field=origin&value=api': rows.filter(r => (r as { origin?: string }).origin === 'api').map(r => r._audit_id),
      };
      const asked = Array.from({ length: 50 }, (_, i) => filters[i % filters.length]!);
      const pages = await Promise.all(asked.map(async f => idsOf(await (await fetch(`${big.url}/?view=history&entity=Person&${f}`)).text())));
      pages.forEach((ids, i) => expect(ids, asked[i]).toEqual(expected[asked[i]!]));
      // Timelines of different keys at once show only their key's versions.
      const timelines = await Promise.all([1, 2, 3, 1, 2, 3].map(async key => (await fetch(`${big.url}/?view=row&entity=Person&key=${key}`)).text()));
      expect(timelines.map(t => /<h1>Timeline of Person (\d+)<\/h1>/.exec(t)?.[1])).toEqual(['1', '2', '3', '1', '2', '3']);
    } finally {
      await close(big.server);
    }
  });

  it('pages through the rows that existed when paging started once each, with rows inserted between pages', async () => {
    const before = (await personRows(ctx.t.orm.em)).map(row => row._audit_id);
    const seen: number[] = [];
    let query: string | undefined = '?view=history&entity=Person';
    let n = 0;
    while (query !== undefined) {
      const { text } = await get(query);
      seen.push(...idsOf(text));
      const em = ctx.t.orm.em.fork();
      await auditContext.run({ user: 'inserter' }, async () => {
        em.create(Person, { id: 5000 + n++, name: 'inserted while paging' });
        await em.flush();
      });
      query = hrefOf(text, /<a href="([^"]*)" rel="next">Older<\/a>/);
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter(id => before.includes(id))).toEqual(before);
  });

  it('answers a malformed request target with 400, not 500', async () => {
    const status = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      let data = '';
      socket.on('data', chunk => (data += chunk.toString()));
      socket.on('end', () => resolve(data.split('\r\n')[0]!));
      socket.on('error', reject);
      socket.write('GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    expect(status).toMatch(/^HTTP\/1\.1 (400|200)/);
  });

  it('answers out-of-range keys, audit ids and NUL bytes with 400 or an empty page, not 500', async () => {
    const failed: string[] = [];
    for (const query of [
      '?view=history&entity=Person&key=99999999999',
      '?view=row&entity=Person&key=99999999999',
      '?view=history&entity=Person&before=9999999999999999',
      '?view=history&entity=Person&field=_audit_actor&value=a%00b',
      '?view=tx&tx=a%00b',
      `?view=asof&entity=Person&at=${new Date().toISOString()}&afterKey=99999999999`,
    ]) {
      const { status } = await get(query);
      if (![200, 400].includes(status)) {
        failed.push(`${status} ${query}`);
      }
    }
    expect(failed).toEqual([]);
  });

  it('echoes hostile query parameters only as escaped text, also in 400 and 404 pages', async () => {
    const evil = '"><svg onload=alert(1)>\'<script>x</script>';
    const e = encodeURIComponent(evil);
    for (const query of [
      `?view=history&entity=Person&field=_audit_actor&value=${e}&key=${e}&tx=${e}`,
      `?view=history&entity=${e}`,
      `?view=row&entity=Person&key=${e}`,
      `?view=asof&entity=Person&key=${e}`,
      `?view=tx&tx=${e}`,
      `?view=history&entity=Person&field=${e}&value=1`,
      `?view=${e}`,
      `?view=export&entity=Person&format=${e}`,
    ]) {
      const { text, headers } = await get(query);
      expect(text, query).not.toMatch(/<svg|<script/i);
      expect(headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });

});
