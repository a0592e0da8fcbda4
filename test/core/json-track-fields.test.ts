// JSON track values reach every database as the JSON they are: arrays, booleans, strings and objects, alone
// or one per row (MariaDB stored `[10, 20]` as `20`, failed on one row, and refused a string).
import { expect, it } from 'vitest';
import { AuditTrail, auditContext, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

declare module '../../src/context/AuditContext.js' {
  interface AuditContextData {
    detail?: unknown;
  }
}

@Entity()
@AuditTrail({ trackFields: [{ name: 'detail', type: 'json', value: ({ context }) => context?.detail ?? null }] })
class Shelf {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) label!: string;
}

const ShelfAudit = auditOf<typeof Shelf, { detail: unknown }>(Shelf);
const VALUES: unknown[] = [[10, 20], true, false, 'a string', { a: 1, b: ["it's", '\\'] }, 42, []];

describeOnEachDatabase('JSON track fields', { file: import.meta.url, config: { entities: [Shelf] } }, ctx => {
  it('stores each JSON value as it is, for one row and for several', async () => {
    await refreshSchema(ctx.t.orm);
    for (const detail of VALUES) {
      for (const count of [1, 2]) {
        const em = ctx.t.orm.em.fork();
        for (let i = 0; i < count; i++) {
          em.create(Shelf, { label: JSON.stringify(detail) });
        }
        await auditContext.run({ detail }, () => em.flush());
      }
    }
    const rows = await ctx.t.orm.em.fork().find(ShelfAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows).toHaveLength(VALUES.length * 3);
    for (const row of rows) {
      // MikroORM 6's mysql driver returns MariaDB's JSON (a text column) as its text; MikroORM 7's parses it.
      const detail = typeof row.detail === 'string' && ctx.db.name === 'mariadb' ? parsedOrSelf(row.detail) : row.detail;
      expect(detail).toEqual(JSON.parse(row.label!));
    }
  });
});

function parsedOrSelf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
