// Recomputes every hash chain of an audit table from the database's canonical texts (as `verify` will) and compares
// them with the stored `_audit_hash` values.
import { expect } from 'vitest';
import type { EntityManager } from '@mikro-orm/core';
import { auditPlanOf } from '../../src/read/auditPlanOf.js';
import { dialectOf } from '../../src/mikro-orm/dialectOf.js';
import type { SqlNames } from '../../src/sql/SqlStatement.js';
import type { AuditableEntity } from '../../src/define/AuditRegistry.js';
import { readChainColumns, readChainRows, type ChainRow } from '../../src/tamper/chainRows.js';
import { genesis, rowHash } from '../../src/tamper/chain.js';
import type { ChainPosition } from '../../src/sql/chainRowsQuery.js';

export interface ChainReport {
  readonly table: string;
  /** Rows with a hash. */
  readonly chained: number;
  /** Transactions (chains) seen. */
  readonly chains: number;
  /** `_audit_id`s whose stored hash differs from the recomputed one. */
  readonly mismatches: number[];
  /** `_audit_id`s without a hash (trigger backstop rows, or rows written without tamper evidence). */
  readonly unchained: number[];
}

/** Reads `table` in keyset batches of `batch` rows and recomputes each (table, transaction) chain. */
export async function recomputeTableChains(em: EntityManager, table: string, batch = 500): Promise<ChainReport> {
  const names = namesOf(em);
  const columns = await readChainColumns(em, names, table);
  const report = { table, chained: 0, chains: 0, mismatches: [] as number[], unchained: [] as number[] };
  let after: ChainPosition | undefined;
  let chain: { transaction: string; previous: string } | undefined;
  for (;;) {
    const rows: ChainRow[] = await readChainRows(em, names, table, columns, { after, limit: batch });
    if (rows.length === 0) {
      return report;
    }
    for (const row of rows) {
      if (row.hash === null) {
        report.unchained.push(row.id);
        continue;
      }
      if (chain?.transaction !== row.transaction) {
        chain = { transaction: row.transaction, previous: genesis(table, row.transaction) };
        report.chains++;
      }
      report.chained++;
      const expected = rowHash(chain.previous, row.canonical);
      if (expected !== row.hash) {
        report.mismatches.push(row.id);
      }
      // The stored hash is what the next row links to, so that one changed row is one finding.
      chain.previous = row.hash;
    }
    const last = rows.at(-1)!;
    after = { transaction: last.transaction, id: last.id };
  }
}

/** `recomputeTableChains` of an audited entity's audit table. */
export function recomputeChains(em: EntityManager, entity: AuditableEntity, batch?: number): Promise<ChainReport> {
  return recomputeTableChains(em, auditPlanOf(em, entity).shape.auditTable, batch);
}

/** Asserts that every row of the entity's audit table is chained and its hash recomputes; returns the report. */
export async function expectChainsIntact(em: EntityManager, entity: AuditableEntity, minimumRows = 1): Promise<ChainReport> {
  const report = await recomputeChains(em, entity);
  expect(report.mismatches, `rows of ${report.table} whose hash does not recompute`).toEqual([]);
  expect(report.unchained, `rows of ${report.table} without a hash`).toEqual([]);
  expect(report.chained).toBeGreaterThanOrEqual(minimumRows);
  return report;
}

/** How statements name things on `em`'s database (an ORM without the audit trail works too). */
export function namesOf(em: EntityManager): SqlNames {
  const platform = em.getPlatform();
  return { dialect: dialectOf(platform)!, quote: (identifier: string) => platform.quoteIdentifier(identifier) };
}
