import type { AuditPlan } from '../discover/AuditPlan.js';
import type { HistoryTable } from '../sql/historyQueries.js';

/** The audit table of a plan, as the history queries name it. */
export function historyTableOf(plan: AuditPlan): HistoryTable {
  const { dialect, quote, auditTable, sourceTable, keyColumns } = plan.shape;
  return { dialect, quote, auditTable, sourceTable, keyColumns: keyColumns.map(column => column.name) };
}
