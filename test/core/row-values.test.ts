import { beforeEach, expect, it } from 'vitest';
import { PrimaryKeyProp } from '@mikro-orm/core';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

const AWKWARD = ['plain', 'quote " and \\ backslash', "single ' quote", '{braces, commas}', null, 'NULL', '', 'ünïcødé ✓'];

@Entity()
@AuditTrail<Label>({ trackFields: [{ name: 'copy', type: 'text', value: ({ entity }) => entity.text }] })
class Label {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'text', nullable: true }) text!: string | null;
}

@Entity()
@AuditTrail<Cell>({ trackFields: [{ name: 'doubled', type: 'number', value: ({ entity }) => entity.value * 2 }] })
class Cell {
  [PrimaryKeyProp]?: ['sheet', 'ref'];
  @PrimaryKey({ type: 'string', length: 10 }) sheet!: string;
  @PrimaryKey({ type: 'string', length: 10 }) ref!: string;
  @Property({ type: 'number' }) value!: number;
}

const LabelAudit = auditOf<typeof Label, { copy: string | null }>(Label);
const CellAudit = auditOf<typeof Cell, { doubled: number | null }>(Cell);

describeOnEachDatabase('per-row values', { file: import.meta.url, config: { entities: [Label, Cell] } }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));

  it('stores a different track value per row, whatever characters it holds', async () => {
    const em = ctx.t.orm.em.fork();
    const labels = AWKWARD.map(text => em.create(Label, { text }));
    await em.flush();
    const rows = await ctx.t.orm.em.fork().find(LabelAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => [row.id, row.text, row.copy])).toEqual(labels.map(label => [label.id, label.text, label.text]));
  });

  it('mixes inserts and updates of composite keys in one statement', async () => {
    const em = ctx.t.orm.em.fork();
    const a1 = em.create(Cell, { sheet: 's1', ref: 'A1', value: 1 });
    await em.flush();
    a1.value = 5;
    em.create(Cell, { sheet: 's1', ref: 'B2', value: 7 });
    em.create(Cell, { sheet: 's2', ref: 'A1', value: 9 });
    ctx.t.reset();
    await em.flush();
    expect(ctx.t.writesTo('cell_audit')).toHaveLength(1);
    const rows = await ctx.t.orm.em.fork().find(CellAudit, {}, { orderBy: { _audit_id: 'asc' } });
    const seen = rows.map(row => [row._audit_change_type, row.sheet, row.ref, row.value, row.doubled]);
    expect(seen[0]).toEqual(['I', 's1', 'A1', 1, 2]);
    expect(seen.slice(1).sort()).toEqual([
      ['I', 's1', 'B2', 7, 14],
      ['I', 's2', 'A1', 9, 18],
      ['U', 's1', 'A1', 5, 10],
    ]);
  });
});
