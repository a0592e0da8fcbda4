// The pre-read hashes the canonical text of a value as the INSERT will store it (`assignedValueExpression`), the
// verifier that of the stored value (`canonicalExpression` of the column): for every column type and value, on
// each database, in a hostile session, both must be the same text, or a correct row would be reported as changed.
import { expect, it } from 'vitest';
import { executeStatement } from '../../src/mikro-orm/execute.js';
import { assignedValueExpression, canonicalExpression } from '../../src/sql/canonicalValues.js';
import { withoutTypeModifier } from '../../src/sql/snapshotSelect.js';
import type { Dialect } from '../../src/sql/Dialect.js';
import { Entity, PrimaryKey } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';
import { namesOf } from '../support/chains.js';
import { HOSTILE_SETTINGS } from './support/specimens.js';

interface Case {
  readonly type: string;
  readonly values: readonly unknown[];
}

const TEXTS = ["a'b\\c", '', ' ', '😀 ünïcödé', 'NULL', '1e3', ' 3 ', '0x10', '3.0', '-0'];
const NUMBERS = [0, 1, -5, 3.5, 0.1, 1e20, 2 ** 40, 1 / 3];
const DATES = [new Date('2020-03-04T05:06:07.123Z'), new Date('1969-12-31T23:59:59.999Z'), '2020-03-04 05:06:07.5', '2024-02-29T23:59:59.999Z'];

const CASES: Record<Dialect, Case[]> = {
  sqlite: ['integer', 'bigint', 'text', 'varchar(36)', 'blob', 'real', 'double', 'numeric(10,2)', 'datetime', 'boolean', 'json', 'char(1)', 'float', 'date'].map(type => ({
    type,
    values: [null, ...NUMBERS, ...TEXTS, '9223372036854775808', '+7', '.5', Buffer.from('ab'), true],
  })),
  postgresql: [
    { type: 'timestamptz(3)', values: [...DATES, 'infinity'] },
    { type: 'timestamp(0)', values: DATES },
    { type: 'date', values: ['2024-02-29', '0001-01-01 BC'] },
    { type: 'numeric(10,2)', values: ['1.005', 3, '1e3', '-0.01'] },
    { type: 'varchar(50)', values: TEXTS },
    { type: 'char(3)', values: ['a ', 'ab', ''] },
    { type: 'real', values: [0.1, '1e-40', 1 / 3] },
    { type: 'double precision', values: NUMBERS },
    { type: 'jsonb', values: ['{"b": 2, "a":1}', '[1, 2.50, "x"]'] },
    { type: 'json', values: ['{"b": 2, "a":1}'] },
    { type: 'bytea', values: [Buffer.from([0, 255, 92, 39])] },
    { type: 'bigint', values: ['9223372036854775807', -1] },
    { type: 'boolean', values: [true, 'yes', false] },
    { type: 'interval', values: ['1 day 02:03:04.5'] },
    { type: 'text[]', values: ['{a,"b c",NULL}'] },
    { type: 'timestamptz(3)[]', values: ['{"2020-01-01 00:00:00.1234+00"}'] },
  ],
  mysql: [
    { type: 'datetime', values: DATES },
    { type: 'datetime(3)', values: DATES },
    { type: 'timestamp(3)', values: DATES },
    { type: 'date', values: ['2024-02-29', '1000-01-01'] },
    { type: 'time', values: ['12:34:56.789'] },
    { type: 'decimal(10,2)', values: [0, 3.5, 1.005, '1.005', -0.01, 123456.789] },
    { type: 'double', values: NUMBERS },
    { type: 'float', values: [0.1, 3.5] },
    { type: 'varchar(50)', values: TEXTS },
    { type: 'text', values: TEXTS },
    { type: 'int', values: [0, 1, -5, 3.5, 0.1, '42', '-0'] },
    { type: 'bigint', values: ['9223372036854775807', 2 ** 40] },
    { type: 'tinyint(1)', values: [true, false, 1] },
    { type: 'json', values: ['{"b":2,"a":1}'] },
    { type: 'char(3)', values: ['a ', 'ab'] },
    { type: 'int unsigned', values: [0, 7] },
    { type: 'blob', values: [Buffer.from([0, 255]), 'text', 12] },
    { type: 'binary(4)', values: [Buffer.from('ab'), 'cd'] },
  ],
};

@Entity()
class Canon {
  @PrimaryKey({ type: 'number' }) id!: number;
}

for (const hostile of [false, true]) {
  describeOnEachDatabase(`stored and assigned canonical texts${hostile ? ' in a hostile session' : ''}`, { file: import.meta.url, config: { entities: [Canon] } }, ctx => {
    it('gives a value the same text in the column as the pre-read gives it on its way in', async () => {
      const orm = ctx.t.orm;
      const names = namesOf(orm.em);
      const { dialect, quote: q } = names;
      const mismatches: string[] = [];
      let compared = 0;
      const em = orm.em.fork();
      await em.transactional(async trx => {
        const transaction = trx.getTransactionContext()!;
        const run = (sql: string, params: unknown[] = []) => executeStatement(trx, transaction, { sql, params }, 'all');
        for (const sql of hostile ? (HOSTILE_SETTINGS[ctx.db.name] ?? []) : []) {
          await run(sql);
        }
        for (const { type, values } of CASES[dialect]) {
          await run(`drop table if exists ${q('canon_t')}`);
          await run(`create table ${q('canon_t')} (${q('v')} ${type}${dialect === 'mysql' ? ' null' : ''})`);
          for (const value of values) {
            const slot = dialect === 'postgresql' ? `cast(? as ${withoutTypeModifier(type)})` : '?';
            await run(`delete from ${q('canon_t')}`);
            try {
              await run(`insert into ${q('canon_t')} (${q('v')}) select ${slot}`, [value]);
            } catch {
              continue; // a value the column refuses is never hashed
            }
            const [stored] = await run(`select ${canonicalExpression(dialect, q('v'), type)} as ${q('t')} from ${q('canon_t')}`);
            const assigned = canonicalExpression(dialect, assignedValueExpression(dialect, 'X', type), type);
            const parts = assigned.split('X');
            const [pre] = await run(`select ${parts.join(`(${slot})`)} as ${q('t')}`, parts.slice(1).map(() => value));
            compared++;
            if (stored!.t !== pre!.t) {
              mismatches.push(`${type} ${JSON.stringify(value instanceof Buffer ? value.toString('hex') : value)}: ${String(stored!.t)} vs ${String(pre!.t)}`);
            }
          }
        }
        await run(`drop table ${q('canon_t')}`);
      });
      expect(mismatches).toEqual([]);
      // Most values are stored (those a column refuses are skipped).
      expect(compared).toBeGreaterThan(CASES[dialect].reduce((sum, c) => sum + c.values.length, 0) * 0.6);
    });
  });
}
