// verifyAuditTrail() on a sealed history of each size (PostgreSQL): wall time and peak resident memory of a
// process that does nothing else (bench/verifyChild.ts), median of `runs`. Constant memory shows as the same
// peak at 100,000 and 1,000,000 rows.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { verifyBenchData } from './verifyData.js';

export interface VerifyResult {
  readonly database: 'postgresql';
  readonly auditRows: number;
  readonly seals: number;
  readonly built: boolean;
  readonly buildMs: number;
  readonly medianMs: number;
  readonly samplesMs: number[];
  /** Peak resident set size of the verifying process (its maxRSS), median of the runs. */
  readonly peakRssMB: number;
  /** Resident set size once the ORM was up, before verify started. */
  readonly baseRssMB: number;
  /** The largest live heap (after a full collection at each batch) of one more run: what verify holds. */
  readonly liveHeapMB: number;
}

interface ChildResult {
  ms: number;
  liveHeapMB: number;
  maxRssMB: number;
  baseRssMB: number;
  findings: number;
  rows: number;
  seals: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function benchVerify(rows: number, runs: number): Promise<VerifyResult> {
  const data = await verifyBenchData(rows);
  const child = fileURLToPath(new URL('./verifyChild.ts', import.meta.url));
  const run = (...flags: string[]) => {
    const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', child, String(rows), ...flags], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const result = JSON.parse(output.trim().split('\n').at(-1)!) as ChildResult;
    if (result.findings !== 0 || result.rows !== rows) {
      throw new Error(`verify of the benchmark history found ${result.findings} findings in ${result.rows} rows (expected none in ${rows})`);
    }
    return result;
  };
  const samples = Array.from({ length: runs }, () => run());
  const { liveHeapMB } = run('--live');
  return {
    database: 'postgresql',
    auditRows: rows,
    seals: samples[0]!.seals,
    built: data.built,
    buildMs: data.buildMs,
    medianMs: median(samples.map(s => s.ms)),
    samplesMs: samples.map(s => Math.round(s.ms)),
    peakRssMB: median(samples.map(s => s.maxRssMB)),
    baseRssMB: median(samples.map(s => s.baseRssMB)),
    liveHeapMB,
  };
}

export function printVerifyResult(result: VerifyResult): void {
  const built = result.built ? `, history built in ${(result.buildMs / 1000).toFixed(0)} s` : '';
  console.log(
    `postgresql: verify of ${result.auditRows.toLocaleString('en')} audit rows (${result.seals} seals${built}): ` +
      `median ${(result.medianMs / 1000).toFixed(2)} s [${result.samplesMs.join(', ')} ms], ` +
      `peak RSS ${result.peakRssMB.toFixed(0)} MB (${result.baseRssMB.toFixed(0)} MB before verify), ` +
      `live heap at most ${result.liveHeapMB.toFixed(1)} MB`,
  );
}
