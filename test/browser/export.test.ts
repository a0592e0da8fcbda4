import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditBrowser, auditContext } from '../../src/index.js';
import { describeOnEachDatabase } from '../support/suite.js';
import { ENTITIES, Person, personRows, seedHistory } from './support/entities.js';
import { close, listen, parseCsv } from './support/server.js';

const FORMULAS = ['=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tx'];
const MANY = 600;

describeOnEachDatabase('history browser export', { file: import.meta.url, config: { entities: ENTITIES } }, ctx => {
  let server: Server | undefined;
  let url = '';
  beforeAll(async () => {
    await seedHistory(ctx.t.orm, 3);
    const em = ctx.t.orm.em.fork();
    await auditContext.run({ user: 'importer', origin: '=cmd|calc' } as never, async () => {
      FORMULAS.forEach((name, i) => em.create(Person, { id: 500 + i, name, note: null }));
      // More than one export batch (500 rows).
      for (let i = 0; i < MANY; i++) {
        em.create(Person, { id: 1000 + i, name: `bulk ${i}`, note: i % 2 ? 'odd' : null });
      }
      await em.flush();
    });
    ({ url, server } = await listen(auditBrowser(ctx.t.orm, { authorize: () => true })));
  });
  afterAll(() => close(server));

  const columns = ['_audit_id', '_audit_timestamp', '_audit_change_type', '_audit_actor', '_audit_reason', '_audit_transaction', 'origin', 'id', 'name', 'note'];
  const asText = (value: unknown) => (value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value as string));

  it('streams the filtered history as CSV, the rows of the history in order, formulas neutralised', async () => {
    for (const filter of ['', 'type=U', 'field=_audit_actor&value=importer', 'key=1']) {
      const response = await fetch(`${url}/?view=export&entity=Person&format=csv&${filter}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe("attachment; filename=\"Person-history.csv\"; filename*=UTF-8''Person-history.csv");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const [header, ...records] = parseCsv(await response.text());
      expect(header).toEqual(columns);
      const rows = (await personRows(ctx.t.orm.em)).filter(row =>
        filter === 'type=U' ? row._audit_change_type === 'U' : filter.includes('importer') ? row._audit_actor === 'importer' : filter === 'key=1' ? row.id === 1 : true,
      );
      expect(rows.length).toBeGreaterThan(0);
      const neutral = (text: string) => (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text);
      expect(records).toEqual(rows.map(row => columns.map(name => neutral(asText((row as Record<string, unknown>)[name])))));
    }
    const text = await (await fetch(`${url}/?view=export&entity=Person&format=csv&field=_audit_actor&value=importer`)).text();
    expect(text).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
    for (const cell of ["'+1+1", "'-2+3", "'@SUM(A1)", "'\tx", "'=cmd|calc"]) {
      expect(parseCsv(text).some(record => record.includes(cell)), cell).toBe(true);
    }
  });

  it('streams the filtered history as a JSON array equal to the history rows', async () => {
    const response = await fetch(`${url}/?view=export&entity=Person&format=json&type=I`);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const exported = (await response.json()) as Record<string, unknown>[];
    const rows = (await personRows(ctx.t.orm.em)).filter(row => row._audit_change_type === 'I');
    expect(exported.length).toBeGreaterThan(MANY);
    expect(exported).toEqual(
      rows.map(row => Object.fromEntries(columns.map(name => [name, name === '_audit_timestamp' ? row._audit_timestamp.toISOString() : (row as Record<string, unknown>)[name] ?? null]))),
    );
    const empty = await fetch(`${url}/?view=export&entity=Person&format=json&field=_audit_actor&value=nobody`);
    expect(await empty.json()).toEqual([]);
  });

  it('answers 400 before the download starts for a bad filter', async () => {
    const response = await fetch(`${url}/?view=export&entity=Person&format=xml`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('&#39;format&#39;');
    expect((await fetch(`${url}/?view=export&entity=Person&from=never`)).status).toBe(400);
  });
});
