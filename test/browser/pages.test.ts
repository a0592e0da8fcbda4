import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AuditTrailConfigError, auditBrowser } from '../../src/index.js';
import { describeOnEachDatabase } from '../support/suite.js';
import { ENTITIES, PersonAudit, TicketAudit, personRows, seedHistory, type SeededHistory } from './support/entities.js';
import { close, expectedCsp, hrefOf, idsOf, listen } from './support/server.js';

const EXTRA = 20;

describeOnEachDatabase('history browser pages', { file: import.meta.url, config: { entities: ENTITIES } }, ctx => {
  let server: Server | undefined;
  let url = '';
  let seeded: SeededHistory;
  const get = async (query: string, init?: RequestInit) => {
    const response = await fetch(`${url}/${query}`, init);
    return { response, text: await response.text() };
  };

  beforeAll(async () => {
    seeded = await seedHistory(ctx.t.orm, EXTRA);
    ({ url, server } = await listen(auditBrowser(ctx.t.orm, { authorize: req => req.headers.authorization === 'Bearer admin', pageSize: 500 })));
  });
  afterAll(() => close(server));
  const admin = { headers: { authorization: 'Bearer admin' } };

  it('lists only showInAdmin entities, with their number of versions and latest change', async () => {
    const { response, text } = await get('', admin);
    expect(response.status).toBe(200);
    expect(text).toContain('href="?view=history&amp;entity=Person"');
    expect(text).toContain('href="?view=history&amp;entity=Ticket"');
    expect(text).not.toContain('Secret');
    const rows = await personRows(ctx.t.orm.em);
    expect(text).toContain(`>Person</a></td><td>${rows.length}</td><td>${rows[0]!._audit_timestamp.toISOString()}</td>`);
    const tickets = await ctx.t.orm.em.fork().find(TicketAudit, {});
    expect(text).toContain(`>Ticket</a></td><td>${tickets.length}</td><td>${tickets[0]!._audit_timestamp.toISOString()}</td>`);
  });

  it('filters the history on change type, actor, a track field, time range, key and transaction', async () => {
    const rows = await personRows(ctx.t.orm.em);
    const ids = (keep: (row: (typeof rows)[number]) => boolean) => rows.filter(keep).map(row => row._audit_id);
    const history = async (filters: string) => {
      const { response, text } = await get(`?view=history&entity=Person&${filters}`, admin);
      expect(response.status).toBe(200);
      return idsOf(text);
    };
    expect(await history('')).toEqual(ids(() => true));
    expect(await history('type=U')).toEqual(ids(row => row._audit_change_type === 'U'));
    expect(await history('type=I,D')).toEqual(ids(row => row._audit_change_type !== 'U'));
    expect(await history('type=D&type=U')).toEqual(ids(row => row._audit_change_type !== 'I'));
    expect(await history('field=_audit_actor&value=bob')).toEqual(ids(row => row._audit_actor === 'bob'));
    expect(await history('field=origin&value=api')).toEqual(ids(row => (row as { origin?: string }).origin === 'api'));
    expect(await history('field=_audit_reason&value=typo')).toEqual(ids(row => row._audit_reason === 'typo'));
    const from = seeded.afterRename.toISOString();
    const to = rows[3]!._audit_timestamp.toISOString();
    expect(await history(`from=${from}`)).toEqual(ids(row => row._audit_timestamp >= seeded.afterRename));
    expect(await history(`to=${from}`)).toEqual(ids(row => row._audit_timestamp <= seeded.afterRename));
    expect(await history(`from=${from}&to=${to}`)).toEqual(ids(row => row._audit_timestamp >= seeded.afterRename && row._audit_timestamp <= rows[3]!._audit_timestamp));
    expect(await history('key=1')).toEqual(ids(row => row.id === 1));
    expect(await history(`tx=${seeded.firstTx}`)).toEqual(ids(row => row._audit_transaction === seeded.firstTx));
    expect(await history(`tx=${seeded.firstTx}&type=I&field=_audit_actor&value=alice&key=3`)).toEqual(ids(row => row.id === 3 && row._audit_change_type === 'I'));
    expect(await history('field=_audit_actor&value=nobody')).toEqual([]);
  });

  it('pages forward and back by keyset, every row once and in order, with no OFFSET in the SQL', async () => {
    const paged = await listen(auditBrowser(ctx.t.orm, { authorize: () => true, pageSize: 5 }));
    try {
      const expected = (await personRows(ctx.t.orm.em)).map(row => row._audit_id);
      expect(expected.length).toBeGreaterThan(15);
      ctx.t.reset();
      const pages: number[][] = [];
      let query: string | undefined = '?view=history&entity=Person';
      while (query !== undefined) {
        const text = await (await fetch(`${paged.url}/${query}`)).text();
        pages.push(idsOf(text));
        query = hrefOf(text, /<a href="([^"]*)" rel="next">Older<\/a>/);
      }
      expect(pages.length).toBeGreaterThan(2);
      expect(pages.flat()).toEqual(expected);
      expect(pages.slice(0, -1).every(page => page.length === 5)).toBe(true);
      // Back from the last page to the first through the Newer links.
      const back: number[][] = [];
      let text = await (await fetch(`${paged.url}/?view=history&entity=Person&before=${pages.at(-2)!.at(-1)!}`)).text();
      back.push(idsOf(text));
      for (let newer = hrefOf(text, /<a href="([^"]*)" rel="prev">Newer<\/a>/); newer !== undefined; newer = hrefOf(text, /<a href="([^"]*)" rel="prev">Newer<\/a>/)) {
        text = await (await fetch(`${paged.url}/${newer}`)).text();
        back.push(idsOf(text));
      }
      expect(back.reverse()).toEqual(pages);
      const reads = ctx.t.queries.filter(sql => /person_audit/.test(sql));
      expect(reads.length).toBeGreaterThan(pages.length * 2);
      expect(reads.filter(sql => /\boffset\b/i.test(sql))).toEqual([]);
      expect(reads.every(sql => /\blimit\b/i.test(sql))).toBe(true);
    } finally {
      await close(paged.server);
    }
  });

  it("shows a row's timeline with the changed fields, from and to, deleted versions included", async () => {
    const { text } = await get('?view=row&entity=Person&key=1', admin);
    expect(text).toContain('<td><mark>name</mark></td><td><del>person 1</del></td><td><ins>person one</ins></td>');
    expect(text).toContain('<td>bob</td><td>typo</td>');
    const versions = await ctx.t.orm.em.fork().find(PersonAudit, { id: 1 });
    expect(text).toContain(`href="?view=tx&amp;tx=${encodeURIComponent(versions[1]!._audit_transaction!)}"`);
    const deleted = (await get('?view=row&entity=Person&key=2', admin)).text;
    expect(deleted.match(/<section class="version"/g)).toHaveLength(2);
    expect(deleted).toContain('<td class="D">D</td>');
  });

  it('shows the state at an instant, for one row and for the whole entity page by page', async () => {
    const one = async (at: Date, key: number) => (await get(`?view=asof&entity=Person&key=${key}&at=${at.toISOString()}`, admin)).text;
    expect(await one(seeded.afterCreate, 1)).toContain('<th>name</th><td>person 1</td>');
    expect(await one(seeded.afterRename, 1)).toContain('<th>name</th><td>person one</td>');
    expect(await one(seeded.afterRename, 2)).toContain('<th>name</th><td>person 2</td>');
    expect(await one(seeded.afterDelete, 2)).toContain('did not exist at that instant');
    expect(await one(new Date(seeded.afterCreate.getTime() - 60_000), 1)).toContain('did not exist at that instant');
    const paged = await listen(auditBrowser(ctx.t.orm, { authorize: () => true, pageSize: 4 }));
    try {
      const names: string[] = [];
      let query: string | undefined = `?view=asof&entity=Person&at=${seeded.afterDelete.toISOString()}`;
      let pages = 0;
      while (query !== undefined) {
        const text = await (await fetch(`${paged.url}/${query}`)).text();
        names.push(...[...text.matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td>/g)].map(match => `${match[1]}:${match[2]}`));
        query = hrefOf(text, /<a href="([^"]*)" rel="next">Next<\/a>/);
        pages++;
      }
      expect(pages).toBeGreaterThan(0);
      expect(names).toEqual(['1:person one', '3:person 3']);
      const later = new Date(Date.now() + 60_000).toISOString();
      const all: string[] = [];
      for (query = `?view=asof&entity=Person&at=${later}`; query !== undefined; ) {
        const text = await (await fetch(`${paged.url}/${query}`)).text();
        all.push(...[...text.matchAll(/<tr><td>(\d+)<\/td>/g)].map(match => match[1]!));
        query = hrefOf(text, /<a href="([^"]*)" rel="next">Next<\/a>/);
      }
      expect(all).toEqual(['1', '3', ...Array.from({ length: EXTRA }, (_, i) => String(100 + i))]);
    } finally {
      await close(paged.server);
    }
  });

  it('groups what a transaction changed by entity, leaving out entities not shown', async () => {
    const { response, text } = await get(`?view=tx&tx=${encodeURIComponent(seeded.firstTx)}`, admin);
    expect(response.status).toBe(200);
    const sections = text.split('<section>').slice(1);
    expect(sections.map(section => /<h2><a [^>]*>(\w+)<\/a><\/h2>/.exec(section)![1])).toEqual(['Person', 'Ticket']);
    const people = await ctx.t.orm.em.fork().find(PersonAudit, { _audit_transaction: seeded.firstTx }, { orderBy: { _audit_id: 'asc' } });
    const tickets = await ctx.t.orm.em.fork().find(TicketAudit, { _audit_transaction: seeded.firstTx });
    expect(idsOf(sections[0]!)).toEqual(people.map(row => row._audit_id));
    expect(idsOf(sections[1]!)).toEqual(tickets.map(row => row._audit_id));
    expect(text).not.toContain('top secret value');
  });

  it('sends the security headers and the exact CSP on every response', async () => {
    for (const query of ['', '?view=history&entity=Person', '?view=history&entity=Nope', '?view=history&entity=Person&from=x']) {
      const { response, text } = await get(query, admin);
      expect(response.headers.get('content-security-policy')).toBe(expectedCsp(text));
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(text).not.toMatch(/<script/i);
    }
    const { response } = await get('', { ...admin, method: 'POST' });
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/);
  });

  it('answers 403 without data when authorize refuses or throws, 405 to other methods, 404 and 400', async () => {
    const refused = await get('?view=history&entity=Person');
    expect(refused.response.status).toBe(403);
    expect(refused.text).not.toMatch(/person|alice|bob|_audit/i);
    const throwing = await listen(auditBrowser(ctx.t.orm, { authorize: () => { throw new Error('no session'); } }));
    const rejecting = await listen(auditBrowser(ctx.t.orm, { authorize: () => Promise.reject(new Error('no session')) }));
    const truthy = await listen(auditBrowser(ctx.t.orm, { authorize: (() => 'yes') as never }));
    try {
      for (const base of [throwing.url, rejecting.url, truthy.url]) {
        const response = await fetch(`${base}/?view=history&entity=Person`);
        expect(response.status).toBe(403);
        expect(await response.text()).not.toMatch(/person 1|alice/);
      }
    } finally {
      await Promise.all([close(throwing.server), close(rejecting.server), close(truthy.server)]);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const { response } = await get('?view=history&entity=Person', { ...admin, method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
    const head = await fetch(`${url}/?view=history&entity=Person`, { ...admin, method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await get('?view=history&entity=Nope', admin)).response.status).toBe(404);
    expect((await get('?view=history&entity=Secret', admin)).response.status).toBe(404);
    expect((await get('?view=row&entity=Secret&key=1', admin)).response.status).toBe(404);
    expect((await get('?view=export&entity=Secret', admin)).response.status).toBe(404);
    const badFrom = await get('?view=history&entity=Person&from=yesterday', admin);
    expect(badFrom.response.status).toBe(400);
    expect(badFrom.text).toContain('Query parameter &#39;from&#39;');
    for (const [query, parameter] of [
      ['?view=history&entity=Person&before=abc', 'before'],
      ['?view=history&entity=Person&type=X', 'type'],
      ['?view=history&entity=Person&field=name&value=x', 'field'],
      ['?view=history&entity=Person&key=abc', 'key'],
      ['?view=row&entity=Person', 'key'],
      ['?view=nope', 'view'],
      ['?view=asof&entity=Person&at=soon', 'at'],
    ] as const) {
      const { response, text } = await get(query, admin);
      expect(response.status, query).toBe(400);
      expect(text).toContain(`Query parameter &#39;${parameter}&#39;`);
    }
  });

  it('refuses to be created without authorize, saying why', () => {
    for (const options of [undefined, {}, { authorize: true }]) {
      const error = (() => {
        try {
          auditBrowser(ctx.t.orm, options as never);
          return undefined;
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(AuditTrailConfigError);
      expect(error).toMatchObject({ code: 'AUDIT_BROWSER_NO_AUTHORIZE' });
      expect((error as Error).message).toMatch(/denies access unless the application decides.*authorize: req =>/s);
    }
    expect(() => auditBrowser(ctx.t.orm, { authorize: () => true, pageSize: 501 })).toThrow(expect.objectContaining({ code: 'AUDIT_INVALID_BROWSER_OPTION' }));
  });
});
