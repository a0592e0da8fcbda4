import type { EntityManager, EntityName } from '@mikro-orm/core';
import type { AuditableEntity } from '../define/AuditRegistry.js';
import { auditOf } from '../define/auditOf.js';
import { AUDIT_ID, AUDIT_TIMESTAMP } from '../define/AuditColumns.js';
import type { AuditPlan } from '../discover/AuditPlan.js';
import { AuditTableCheck } from '../discover/AuditTableCheck.js';
import type { AuditTableMismatch } from '../discover/reconcileAuditTables.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { buildTableSizeQuery } from '../sql/tableSize.js';

/** The state of one audited entity's audit table. */
export interface AuditTableStatus {
  readonly entity: string;
  /** Unquoted, `schema.table` outside the default schema. */
  readonly auditTable: string;
  /** `null` when the table could not be read (it does not exist): `problems` says why. */
  readonly rows: number | null;
  /** `_audit_timestamp` of the first and the last version (by `_audit_id`, the commit order); `null` when empty. */
  readonly oldest: Date | null;
  readonly newest: Date | null;
  /** Bytes of the table and its indexes, where the database can tell (see `buildTableSizeQuery`); else `null`. */
  readonly sizeBytes: number | null;
  /** What the schema check finds wrong with the table (empty: it matches its entity). */
  readonly problems: readonly string[];
}

/** The status of the audit table of each plan: row count, oldest and newest version, size, schema check. */
export async function auditTableStatus(em: EntityManager, plans: readonly AuditPlan[]): Promise<AuditTableStatus[]> {
  const counted: VersionCount[] = [];
  for (const plan of plans) {
    counted.push(await countVersions(em, plan));
  }
  // After the counts: the ORM is connected, and a schema check running alongside its start is done.
  const mismatches = await AuditTableCheck.mismatchesOf(em.getPlatform().getConfig());
  const statuses: AuditTableStatus[] = [];
  for (const [i, plan] of plans.entries()) {
    const { error, ...versions } = counted[i]!;
    const table = plan.shape.auditTable;
    const problems = mismatches.filter(mismatch => mismatch.table === table).map(problemText);
    statuses.push({
      entity: plan.sourceName,
      auditTable: table,
      ...versions,
      sizeBytes: error === undefined ? await tableSize(em, plan) : null,
      problems: error === undefined || problems.length > 0 ? problems : [error],
    });
  }
  return statuses;
}

interface VersionCount {
  readonly rows: number | null;
  readonly oldest: Date | null;
  readonly newest: Date | null;
  readonly error?: string;
}

async function countVersions(em: EntityManager, plan: AuditPlan): Promise<VersionCount> {
  const audit = auditOf(plan.source.class as AuditableEntity) as unknown as EntityName<object>;
  const edge = async (order: 'asc' | 'desc'): Promise<Date | null> => {
    const [row] = await em.find(audit, {}, { orderBy: { [AUDIT_ID]: order } as never, limit: 1, fields: [AUDIT_TIMESTAMP] as never });
    return ((row as Record<string, unknown> | undefined)?.[AUDIT_TIMESTAMP] as Date | undefined) ?? null;
  };
  try {
    const rows = await em.count(audit, {});
    const versions = { rows, oldest: await edge('asc'), newest: await edge('desc') };
    em.clear();
    return versions;
  } catch (error) {
    return { rows: null, oldest: null, newest: null, error: `cannot be read: ${(error as Error).message}` };
  }
}

async function tableSize(em: EntityManager, plan: AuditPlan): Promise<number | null> {
  try {
    const [row] = await executeStatement(em, undefined, buildTableSizeQuery(plan.shape, plan.shape.auditTable), 'all');
    const size = row?.size;
    return size === null || size === undefined ? null : Number(size as number | string | bigint);
  } catch {
    // SQLite without the dbstat table.
    return null;
  }
}

function problemText(mismatch: AuditTableMismatch): string {
  return mismatch.column === undefined ? mismatch.problem : `column ${mismatch.column} ${mismatch.problem}`;
}
