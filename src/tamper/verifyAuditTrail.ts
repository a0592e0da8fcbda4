import type { EntityManager } from '@mikro-orm/core';
import type { AuditPlans } from '../discover/AuditPlan.js';
import { TamperErrors } from '../errors/TamperErrors.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { buildAnySeal, buildSealById } from '../sql/sealQueries.js';
import { buildRowCount } from '../sql/verifyQueries.js';
import { auditTableSource, tamperTables, type AuditTableSource, type StreamedRow } from './auditRows.js';
import { predecessors, rowsById } from './rowStreams.js';
import { ChainCheck, type ChainIssue, type PredecessorLookup } from './chainCheck.js';
import type { Finding, TableReport, VerifyResult } from './Finding.js';
import { FindingDrafts } from './FindingDrafts.js';
import { foldChainIssues } from './foldChainIssues.js';
import { digestHash } from './sealAuditTrail.js';
import { checkSealChain, type SealHeader } from './sealChainCheck.js';
import { SealedRowsCheck, type SealLoader } from './SealedRowsCheck.js';
import { PruneRecordCheck } from './pruneRecordCheck.js';
import type { SealKey } from './SealKey.js';
import { SealKeyRing } from './SealKeyRing.js';
import { sealMac, sealRowOf } from './sealRecord.js';
import { inSnapshot, transactionOf } from './snapshotRead.js';
import { tamperEvidentPlans } from './tamperPlans.js';

/** Options of `verifyAuditTrail()`. */
export interface VerifyOptions {
  /** The seal key: without it only chains are checked, and seals and prune records are not. */
  key?: SealKey;
  /**
   * The keys `key` replaced, newest first (`loadRetiredSealKeys()`): seals made before a key rotation are checked
   * with the key they name. Needs `key`.
   */
  retiredKeys?: readonly SealKey[];
  /** Rows read per statement. Defaults to 5,000. */
  batchSize?: number;
  /** Findings kept per table (the rest are counted in `omittedFindings`). Defaults to 1,000. */
  maxFindings?: number;
  /** Called after each batch: the table, the rows and prune records read, and how many it holds. */
  onProgress?: (progress: VerifyProgress) => void;
}

/** See `VerifyOptions.onProgress`. */
export interface VerifyProgress {
  readonly table: string;
  readonly rows: number;
  readonly total: number;
}

// Chain issues kept for folding, per table: past this the table is badly damaged and findings are capped anyway.
const MAX_CHAIN_ISSUES = 100_000;

/**
 * Checks every tamper-evident audit table: recomputes each transaction's hash chain (changed, inserted and
 * removed rows), and with the key each seal (its MAC and predecessor), the rows it covers (ids, fingerprints,
 * digest: removed, inserted, rewritten rows, a removed tail) and the prune records (their MAC). One pass per table
 * by `_audit_id` in keyset batches (after reading its seals' headers), so memory does not grow with history. Rows newer than the last seal are checked by
 * their chains only. Trigger-backstop rows (no hash) are listed per table, not reported as findings.
 *
 * @example
 * const { findings } = await verifyAuditTrail(orm, { key: loadSealKey() });
 */
export async function verifyAuditTrail(orm: { readonly em: EntityManager }, options: VerifyOptions = {}): Promise<VerifyResult> {
  const ring = keyRing(options);
  const em = orm.em.fork();
  const { plans, tamperEvident } = tamperEvidentPlans(em);
  const findings: Finding[] = [];
  const tables: TableReport[] = [];
  let omittedFindings = 0;
  for (const plan of tamperEvident) {
    const source = await auditTableSource(em, plans!, plan);
    const drafts = new FindingDrafts(source.auditTable, options.maxFindings ?? 1000);
    tables.push(await inSnapshot(em, snapshot => verifyTable(snapshot, source, drafts, { ...options, ring })));
    findings.push(...drafts.findings().sort(byId));
    omittedFindings += drafts.omitted;
  }
  const seals = tamperEvident.length === 0 ? 'none' : ring ? 'checked' : (await anySeal(em, plans!)) ? 'not-checked' : 'none';
  return { findings, omittedFindings, tables, seals, keyId: ring?.current.id, retiredKeyIds: ring?.retiredIds ?? [] };
}

function keyRing(options: VerifyOptions): SealKeyRing | undefined {
  if (!options.key) {
    if (options.retiredKeys !== undefined && options.retiredKeys.length > 0) {
      throw TamperErrors.retiredKeysWithoutKey();
    }
    return undefined;
  }
  return SealKeyRing.of(options.key, options.retiredKeys);
}

async function verifyTable(em: EntityManager, source: AuditTableSource, drafts: FindingDrafts, options: VerifyOptions & { ring: SealKeyRing | undefined }): Promise<TableReport> {
  const { ring, batchSize = 5000, onProgress } = options;
  const table = source.auditTable;
  const seals = ring ? await checkSealChain(em, source, table, ring, drafts) : [];
  const { rows, records } = await rowCount(em, source);
  const issues: ChainIssue[] = [];
  const watermarks = [...new Set(seals.filter(seal => seal.valid).map(seal => seal.watermark))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const chains = new ChainCheck(table, watermarks, rows, issue => issues.length < MAX_CHAIN_ISSUES && issues.push(issue));
  const report = await checkRows(em, source, drafts, { ring, seals, chains, batchSize, withRecords: records > 0, progress: read => onProgress?.({ table, rows: read, total: rows + records }) });
  foldChainIssues(issues, drafts, id => sealCovering(seals, id));
  const lastSeal = seals[seals.length - 1];
  return { ...report, table, entity: source.plan.sourceName, seals: seals.length, sealedTo: lastSeal ? lastSeal.toId.toString() : null };
}

type RowCounts = Pick<TableReport, 'rows' | 'prunedRecords' | 'backstopRows' | 'backstopIds'>;

// The one pass, by id: every chain link, backstop rows, prune records' MACs, and with the key every seal's segment.
async function checkRows(
  em: EntityManager,
  source: AuditTableSource,
  drafts: FindingDrafts,
  options: { ring: SealKeyRing | undefined; seals: readonly SealHeader[]; chains: ChainCheck; batchSize: number; withRecords: boolean; progress: (rows: number) => void },
): Promise<RowCounts> {
  const { ring, seals, chains, batchSize, withRecords, progress } = options;
  const sealed = ring && new SealedRowsCheck(seals, drafts, sealLoader(em, source, ring));
  const records = ring && new PruneRecordCheck(source.auditTable, ring, seals, drafts);
  const counts = { rows: 0, prunedRecords: 0, backstopRows: 0, backstopIds: [] as string[] };
  const lookup: PredecessorLookup = before => predecessors(em, source, before, withRecords);
  let lastId: bigint | undefined;
  for await (const page of rowsById(em, source, { batchSize, everyContent: true })) {
    for (const row of page) {
      if (row.kind === 'p') {
        counts.prunedRecords++;
        records?.check(row);
      } else {
        counts.rows++;
        checkRow(drafts, row, counts);
      }
      chains.add(row);
      // Only where a seal's text must be read first does a row wait.
      const waiting = row.id === lastId ? undefined : sealed?.add(row, digestHash(row));
      if (waiting) {
        await waiting;
      }
      lastId = row.id;
    }
    await chains.settle(lookup);
    progress(counts.rows + counts.prunedRecords);
  }
  await sealed?.end();
  return counts;
}

function checkRow(drafts: FindingDrafts, row: StreamedRow, counts: { backstopRows: number; backstopIds: string[] }): void {
  if (row.hash === null) {
    counts.backstopRows++;
    if (counts.backstopIds.length < 100) {
      counts.backstopIds.push(row.id.toString());
    }
  } else if (row.tx === null) {
    drafts.add({ kind: 'changed', auditId: row.id, related: [], message: () => `Row ${row.id} has a chain hash but no _audit_transaction: its transaction id was removed.` });
  }
}

function sealLoader(em: EntityManager, source: AuditTableSource, ring: SealKeyRing): SealLoader {
  return async seal => {
    const [row] = await executeStatement(em, transactionOf(em), buildSealById(source, seal.id), 'all');
    const stored = row && sealRowOf(row);
    const key = stored && ring.find(stored.key_id)?.key;
    return stored && key && sealMac(key, stored) === stored.mac ? stored : undefined;
  };
}

// The seal whose segment holds `id`, if one verified (seals are in `to_id` order and do not overlap).
function sealCovering(seals: readonly SealHeader[], id: bigint): string | undefined {
  let low = 0;
  let high = seals.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (seals[mid]!.toId < id) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  const seal = seals[low];
  return seal && seal.valid && seal.fromId < id ? seal.id : undefined;
}

async function rowCount(em: EntityManager, source: AuditTableSource): Promise<{ rows: number; records: number }> {
  const [row] = await executeStatement(em, transactionOf(em), buildRowCount(source), 'all');
  return { rows: Number(row?.a ?? 0), records: Number(row?.p ?? 0) };
}

async function anySeal(em: EntityManager, plans: AuditPlans): Promise<boolean> {
  const [row] = await executeStatement(em, undefined, buildAnySeal(tamperTables(plans)), 'all');
  return Number(row?.n ?? 0) > 0;
}

function byId(a: Finding, b: Finding): number {
  const [x, y] = [BigInt(a.auditId), BigInt(b.auditId)];
  return x < y ? -1 : x > y ? 1 : 0;
}
