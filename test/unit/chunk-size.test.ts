import { expect, it } from 'vitest';
import type { AuditPlan } from '../../src/discover/AuditPlan.js';
import { chunkSize } from '../../src/write/SnapshotWriter.js';

const plan = (dialect: 'postgresql' | 'sqlite' | 'mysql', batchSize?: number) =>
  ({
    batchSize,
    shape: {
      dialect,
      keyColumns: [{ name: 'id', castType: 'int' }],
      rowColumns: [
        { name: '_audit_change_type', castType: 'char(1)' },
        { name: 'username', castType: 'varchar(30)' },
      ],
    },
  }) as unknown as AuditPlan;

const rows = (users: string[]) => ({ keys: users.map((_, i) => [i]), values: users.map(user => ['I', user]) });

it('sends every row in one statement on PostgreSQL (arrays), and stays under 30,000 parameters elsewhere', () => {
  expect(chunkSize(plan('postgresql'), rows(['a', 'b']))).toBe(Number.POSITIVE_INFINITY);
  expect(chunkSize(plan('sqlite'), rows(['a', 'a']))).toBe(30_000); // one key per row, the rest sent once
  expect(chunkSize(plan('mysql'), rows(['a', 'b']))).toBe(15_000); // the key and the varying user
});

it('honours an explicit batchSize everywhere', () => {
  expect(chunkSize(plan('postgresql', 40), rows(['a']))).toBe(40);
  expect(chunkSize(plan('sqlite', 40), rows(['a']))).toBe(40);
});
