import type { EntityManager } from '@mikro-orm/core';
import { TamperErrors } from '../errors/TamperErrors.js';
import { executeStatement } from '../mikro-orm/execute.js';
import { buildClockText, buildLastSeal, buildSealInsert } from '../sql/sealQueries.js';
import { auditTableSource, type AuditTableSource, type StreamedRow } from './auditRows.js';
import { rowsById } from './rowStreams.js';
import type { SealKey } from './SealKey.js';
import { SealKeyRing } from './SealKeyRing.js';
import { FindingDrafts } from './FindingDrafts.js';
import { checkSealChain } from './sealChainCheck.js';
import { sealMac, sealRowOf, type SealFields, type SealRow } from './sealRecord.js';
import { SegmentBuilder, type Segment } from './SegmentBuilder.js';
import { backstopHash } from './segmentDigest.js';
import { tamperEvidentPlans } from './tamperPlans.js';
import { inSnapshot, transactionOf } from './snapshotRead.js';
import { readWatermark } from './watermark.js';

/** Options of `sealAuditTrail()`. */
export interface SealOptions {
  /** The seal key (`loadSealKey()`). */
  key: SealKey;
  /**
   * The keys `key` replaced, newest first (`loadRetiredSealKeys()`): after a key rotation the newest seal was made
   * with one of them, and the first seal made with `key` continues from it.
   */
  retiredKeys?: readonly SealKey[];
  /** Seconds the seal waits for transactions writing an audit table to end. Defaults to 10. */
  lockTimeout?: number;
  /** Rows read per statement. Defaults to 5,000. */
  batchSize?: number;
  /**
   * Seal each table up to the watermark read earlier by `readSealWatermarks()` (and verified since), instead of
   * reading a new one: rows committed after it are left to the next seal. A table not in the map gets a new one.
   */
  watermarks?: SealWatermarks;
}

/** Per audit table, the `_audit_id` below which every row was committed when it was read (`null`: empty). */
export type SealWatermarks = ReadonlyMap<string, bigint | null>;

/** What `sealAuditTrail()` did for one tamper-evident audit table. */
export interface SealedTable {
  readonly table: string;
  readonly entity: string;
  /** Seal rows written (a long segment is written as several). */
  readonly seals: number;
  /** Rows (live or recorded as pruned) the new seals cover. */
  readonly rows: number;
  /** `_audit_id` up to which the table is now sealed; `null` while it has no rows. */
  readonly sealedTo: string | null;
}

/** The result of `sealAuditTrail()`. */
export interface SealResult {
  readonly tables: readonly SealedTable[];
  /** The id of the key the seals were made with. */
  readonly keyId: string;
}

/**
 * Seals every tamper-evident audit table: records, in `audit_trail_seal`, an HMAC-authenticated commitment to
 * every row written up to now (their ids and hashes, chained to the previous seal), so that rows removed,
 * inserted or rewritten later, even with their chains recomputed, show in `verifyAuditTrail()`. Reads in keyset
 * batches (constant memory); takes a short lock per table (see `readWatermark`). A seal vouches for history as
 * it is: verify before sealing (the command line's `verify --seal` does).
 *
 * @example
 * await sealAuditTrail(orm, { key: requireSealKey('sealing') });
 */
export async function sealAuditTrail(orm: { readonly em: EntityManager }, options: SealOptions): Promise<SealResult> {
  const { key, lockTimeout = 10, batchSize = 5000 } = options;
  const ring = SealKeyRing.of(key, options.retiredKeys);
  const em = orm.em.fork();
  const { plans, tamperEvident } = tamperEvidentPlans(em);
  const tables: SealedTable[] = [];
  for (const plan of tamperEvident) {
    const source = await auditTableSource(em, plans!, plan);
    tables.push(await sealTable(em, source, ring, { lockTimeout, batchSize, watermarks: options.watermarks }));
  }
  return { tables, keyId: key.id };
}

/**
 * The watermark of every tamper-evident audit table (see `readWatermark`), for a seal of exactly what was verified:
 * read them, verify, then `sealAuditTrail(orm, { key, watermarks })`. Every row below a watermark had committed
 * when it was read, so a verify that starts afterwards reads them all; rows written while it runs are not sealed.
 */
export async function readSealWatermarks(orm: { readonly em: EntityManager }, options: Pick<SealOptions, 'lockTimeout'> = {}): Promise<SealWatermarks> {
  const em = orm.em.fork();
  const { plans, tamperEvident } = tamperEvidentPlans(em);
  const watermarks = new Map<string, bigint | null>();
  for (const plan of tamperEvident) {
    const source = await auditTableSource(em, plans!, plan);
    watermarks.set(source.auditTable, await readWatermark(em, source, source.auditTable, options.lockTimeout ?? 10));
  }
  return watermarks;
}

async function sealTable(em: EntityManager, source: AuditTableSource, ring: SealKeyRing, options: { lockTimeout: number; batchSize: number; watermarks?: SealWatermarks }): Promise<SealedTable> {
  const table = source.auditTable;
  const key = ring.current;
  const [lastRow] = await executeStatement(em, undefined, buildLastSeal(source, table), 'all');
  const last = lastRow && sealRowOf(lastRow);
  if (last) {
    // Every seal, not only the newest: a seal made with a retired key after a newer key's verifies on its own.
    const drafts = new FindingDrafts(table, 1);
    await checkSealChain(em, source, table, ring, drafts);
    const [problem] = drafts.findings();
    if (problem) {
      throw TamperErrors.sealsUnverified(table, problem.message, ring.describe());
    }
  }
  const given = options.watermarks;
  const watermark = given?.has(table) ? given.get(table)! : await readWatermark(em, source, table, options.lockTimeout);
  const from = last ? BigInt(last.to_id) : 0n;
  const result = (seals: number, rows: number, to: bigint | null) => ({ table, entity: source.plan.sourceName, seals, rows, sealedTo: to === null ? null : to.toString() });
  if (watermark === null || watermark <= from) {
    return result(0, 0, last ? from : null);
  }
  // The rows and prune records in one snapshot, and the new seals written in the same transaction: all or none.
  const written = await inSnapshot(em, snapshot => sealRows(snapshot, source, key, { from, watermark, previous: last, batchSize: options.batchSize }));
  return result(written.seals, written.rows, watermark);
}

async function sealRows(
  em: EntityManager,
  source: AuditTableSource,
  key: SealKey,
  range: { from: bigint; watermark: bigint; previous: SealRow | undefined; batchSize: number },
): Promise<{ seals: number; rows: number }> {
  const [clock] = await executeStatement(em, transactionOf(em), buildClockText(source), 'all');
  const run = { sealedAt: String(clock!.t), watermark: range.watermark.toString() };
  let previous: Pick<SealRow, 'mac' | 'digest'> = range.previous ?? { mac: '', digest: '' };
  let segment = new SegmentBuilder(range.from, previous.digest);
  let seals = 0;
  let rows = 0;
  const write = async (done: Segment) => {
    previous = await insertSeal(em, source, key, { ...done, sealed_at: run.sealedAt, watermark: run.watermark, previous_mac: previous.mac });
    seals++;
    rows += Number(done.row_count);
  };
  let lastId: bigint | undefined;
  for await (const page of rowsById(em, source, { after: range.from.toString(), upTo: run.watermark, batchSize: range.batchSize })) {
    for (const row of page) {
      if (row.id === lastId) {
        // A prune record of a row that is still there (a record forged, or written by hand): the row counts.
        continue;
      }
      if (segment.full) {
        const done = segment.finish();
        await write(done);
        segment = new SegmentBuilder(BigInt(done.to_id), done.digest);
      }
      segment.add(row.id, digestHash(row));
      lastId = row.id;
    }
  }
  await write(segment.finish(range.watermark));
  return { seals, rows };
}

/** The hash that stands for a row in seal digests: its chain hash, else (backstop rows) its content hash. */
export function digestHash(row: StreamedRow): string {
  if (row.hash !== null) {
    return row.hash;
  }
  if (row.kind === 'p') {
    return row.backstopHash ?? '';
  }
  return backstopHash(row.canonical ?? '');
}

async function insertSeal(em: EntityManager, source: AuditTableSource, key: SealKey, segment: Omit<SealFields, 'audit_table' | 'key_id'>): Promise<SealRow> {
  const fields: SealFields = { ...segment, audit_table: source.auditTable, key_id: key.id };
  const mac = sealMac(key, fields);
  try {
    await executeStatement(em, transactionOf(em), buildSealInsert(source, { ...fields, mac }), 'run');
  } catch (error) {
    // The unique (audit_table, from_id): another run sealed from the same point meanwhile.
    if (/unique|duplicate/i.test(String((error as Error).message))) {
      throw TamperErrors.sealRace(source.auditTable);
    }
    throw error;
  }
  return { ...fields, id: '', mac };
}
