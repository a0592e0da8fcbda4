import type { Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditBrowser, auditContext } from '../../src/index.js';
import { describeOnEachDatabase } from '../support/suite.js';
import { ENTITIES, Person, PersonAudit } from './support/entities.js';
import { close, idsOf, listen } from './support/server.js';

// Values that try to run script, load an image or break out of an attribute, and how escape-html shows them.
const HOSTILE: readonly (readonly [string, string])[] = [
  ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
  ['"><img src=x onerror=alert(1)>', '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'],
  ["' onmouseover='x", '&#39; onmouseover=&#39;x'],
];
const JAVASCRIPT_URL = 'javascript:alert(1)';

describeOnEachDatabase('history browser with hostile values', { file: import.meta.url, config: { entities: ENTITIES } }, ctx => {
  let server: Server | undefined;
  let url = '';
  let tx = '';
  beforeAll(async () => {
    const em = ctx.t.orm.em.fork();
    const values = [...HOSTILE.map(([raw]) => raw), JAVASCRIPT_URL];
    // Each hostile value in an audited column (name, note), in a track field (origin), as actor and as reason.
    for (const [i, value] of values.entries()) {
      await auditContext.run({ user: value, reason: value, origin: value } as never, async () => {
        em.create(Person, { id: i + 1, name: value, note: value });
        await em.flush();
      });
    }
    await auditContext.run({ user: values[0], origin: values[1] } as never, async () => {
      em.getReference(Person, 1).name = values[2]!;
      await em.flush();
    });
    // The rename's transaction: its row holds all three values (name, note, actor, origin).
    tx = (await em.fork().find(PersonAudit, { id: 1 }, { orderBy: { _audit_id: 'asc' } }))[1]!._audit_transaction!;
    ({ url, server } = await listen(auditBrowser(ctx.t.orm, { authorize: () => true })));
  });
  afterAll(() => close(server));

  it('shows stored markup, attribute breakouts and javascript: URLs only as escaped text, on every page', async () => {
    const at = new Date(Date.now() + 60_000).toISOString();
    const all = HOSTILE.map((_, i) => i);
    // Each page, and which of the hostile values it shows.
    const pages: [string, number[]][] = [
      ['?view=history&entity=Person', all],
      ['?view=row&entity=Person&key=1', all],
      ['?view=row&entity=Person&key=2', [1]],
      [`?view=asof&entity=Person&at=${at}`, all],
      [`?view=asof&entity=Person&at=${at}&key=1`, all],
      [`?view=tx&tx=${encodeURIComponent(tx)}`, all],
      // Reflected into the filter form's value attribute too.
      ...HOSTILE.map(([raw], i): [string, number[]] => [`?view=history&entity=Person&field=origin&value=${encodeURIComponent(raw)}`, [i]]),
    ];
    for (const [query, shown] of pages) {
      const response = await fetch(`${url}/${query}`);
      const text = await response.text();
      expect(response.status, query).toBe(200);
      for (const [i, [raw, escaped]] of HOSTILE.entries()) {
        expect(text, query).not.toContain(raw);
        if (shown.includes(i)) {
          expect(text, query).toContain(escaped);
        }
      }
      expect(text).not.toMatch(/<script|<img|onmouseover='/i);
      // javascript: has nothing to escape; it must never become a link: every href is a query-only relative URL.
      const hrefs = [...text.matchAll(/href="([^"]*)"/g)].map(match => match[1]!);
      expect(hrefs.length).toBeGreaterThan(0);
      expect(hrefs.every(href => href.startsWith('?'))).toBe(true);
      expect(text).not.toMatch(/href="javascript:/i);
    }
    const history = await (await fetch(`${url}/?view=history&entity=Person`)).text();
    expect(history).toContain(`<td>${JAVASCRIPT_URL}</td>`);
  });

  it('finds a hostile track field value through the filter, and shows it escaped', async () => {
    for (const [raw, escaped] of HOSTILE) {
      const text = await (await fetch(`${url}/?view=history&entity=Person&field=origin&value=${encodeURIComponent(raw)}`)).text();
      const expected = (await ctx.t.orm.em.fork().find(PersonAudit, { origin: raw } as never, { orderBy: { _audit_id: 'desc' } })).map(row => row._audit_id);
      expect(expected.length).toBeGreaterThan(0);
      expect(idsOf(text)).toEqual(expected);
      expect(text).toContain(`<td>${escaped}</td>`);
      expect(text).toContain(`name="value" value="${escaped}"`);
    }
  });
});
