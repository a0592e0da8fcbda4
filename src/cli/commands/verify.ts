import type { Command } from 'commander';
import { TamperErrors } from '../../errors/TamperErrors.js';
import { readSealWatermarks, sealAuditTrail, type SealResult } from '../../tamper/sealAuditTrail.js';
import { loadRetiredSealKeys, loadSealKey } from '../../tamper/SealKey.js';
import type { VerifyResult } from '../../tamper/Finding.js';
import { verifyAuditTrail, type VerifyProgress } from '../../tamper/verifyAuditTrail.js';
import type { CliCommand, CommandIo, ExitCode } from '../CliCommand.js';
import { batchSizeOption } from '../batchSizeOption.js';
import { collectRepeated, flagOption, integerOption, stringListOption, stringOption } from '../options.js';
import { colors } from '../output/colors.js';
import { jsonDocument } from '../output/json.js';
import { progressOutput, type ProgressOutput } from '../output/progress.js';
import { terminalText } from '../output/terminalText.js';

/**
 * `verify [--seal] [--key-file <path>] [--retired-key-file <path>…] [--json]`: recomputes the hash chains of every
 * tamper-evident audit table and, with the seal key (AUDIT_TRAIL_SEAL_KEY or --key-file) and the keys it replaced
 * (AUDIT_TRAIL_RETIRED_SEAL_KEYS or --retired-key-file), checks the seals and prune records; with `--seal`
 * and no finding, seals what it verified. Exit 0 intact, 1 a finding (nothing sealed), 2 seals exist but no key
 * was given to check them (or any usage or configuration error).
 */
export const verifyCommand: CliCommand = {
  name: 'verify',
  configure(command: Command) {
    command
      .description('check the hash chains and seals of every tamper-evident audit table; exit 1 on a finding (--seal: then seal what was verified)')
      .option('--seal', 'when nothing is found, record a new seal of everything verified (needs the key)')
      .option('--key-file <path>', 'file holding the seal key (default: the environment variable AUDIT_TRAIL_SEAL_KEY)')
      .option(
        '--retired-key-file <path>',
        'file holding a key the seal key replaced, to check the seals made with it; repeat it, newest first (default: AUDIT_TRAIL_RETIRED_SEAL_KEYS, comma-separated)',
        collectRepeated,
      )
      .option('--json', 'print the result as JSON')
      .option('--lock-timeout <seconds>', 'with --seal: how long to wait for transactions writing an audit table (default 10)')
      .option('--batch-size <n>', 'rows read per statement (default 5000)');
  },
  async run(orm, io, _args, options) {
    const seal = flagOption(options, 'seal');
    const key = loadSealKey({ keyFile: stringOption(options, 'keyFile') });
    const retiredKeys = loadRetiredSealKeys({ keyFiles: stringListOption(options, 'retiredKeyFile') });
    if (seal && !key) {
      throw TamperErrors.keyMissing('verify --seal');
    }
    const lockTimeout = integerOption(options, 'lockTimeout');
    const batchSize = batchSizeOption(options);
    // Read first, so that the seal covers only rows committed before verify started reading, all of them verified.
    const watermarks = seal ? await readSealWatermarks(orm, { lockTimeout }) : undefined;
    const result = await withProgress(io, onProgress => verifyAuditTrail(orm, { key, retiredKeys, batchSize, onProgress }));
    if (result.tables.length === 0) {
      throw TamperErrors.nothingToVerify();
    }
    const sealed = seal && key && result.findings.length === 0 ? await sealAuditTrail(orm, { key, retiredKeys, lockTimeout, batchSize, watermarks }) : undefined;
    const code: ExitCode = result.findings.length > 0 ? 1 : result.seals === 'not-checked' ? 2 : 0;
    if (flagOption(options, 'json')) {
      io.stdout.write(jsonDocument({ ok: code === 0, ...result, ...(sealed && { sealed: sealed.tables }) }));
    } else {
      io.stdout.write(humanReport(result, sealed, io.color));
    }
    writeNotes(io, result, seal && result.findings.length > 0);
    return code;
  },
};

async function withProgress<T>(io: CommandIo, work: (onProgress: (p: VerifyProgress) => void) => Promise<T>): Promise<T> {
  let current: { table: string; output: ProgressOutput } | undefined;
  try {
    return await work(({ table, rows, total }) => {
      if (current?.table !== table) {
        current?.output.stop();
        current = { table, output: progressOutput(io, `verify ${table}`, 'rows') };
      }
      current.output.update(Math.min(rows, total), total, '');
    });
  } finally {
    current?.output.stop();
  }
}

function humanReport(result: VerifyResult, sealed: SealResult | undefined, color: boolean): string {
  const c = colors(color);
  const lines: string[] = [];
  for (const finding of result.findings) {
    const range = finding.lastAuditId ? `${finding.auditId}–${finding.lastAuditId}` : finding.auditId;
    lines.push(`${c.red('✗')} ${c.bold(finding.kind)} ${terminalText(finding.table)} _audit_id ${range}: ${terminalText(finding.message)}`);
  }
  if (result.omittedFindings > 0) {
    lines.push(`${c.red('✗')} and ${result.omittedFindings} more findings not listed`);
  }
  for (const table of result.tables) {
    const seals = result.seals === 'checked' ? `${table.seals} seal${table.seals === 1 ? '' : 's'}${table.sealedTo ? ` up to _audit_id ${table.sealedTo}` : ''}` : 'seals not checked';
    const backstop = table.backstopRows > 0 ? `, ${table.backstopRows} rows without a hash` : '';
    lines.push(`${terminalText(table.table)} (${terminalText(table.entity)}): ${table.rows} rows, ${table.prunedRecords} prune records, ${seals}${backstop}`);
  }
  for (const table of sealed?.tables ?? []) {
    lines.push(`${c.green('sealed')} ${terminalText(table.table)}: ${table.rows} new row${table.rows === 1 ? '' : 's'} in ${table.seals} seal${table.seals === 1 ? '' : 's'}, up to _audit_id ${table.sealedTo ?? '-'}`);
  }
  const findings = result.findings.length + result.omittedFindings;
  lines.push(findings > 0 ? c.red(`${findings} finding${findings === 1 ? '' : 's'}: history was changed outside the application`) : c.green('no findings'));
  return `${lines.join('\n')}\n`;
}

// Warnings on stderr: rows without a hash (not findings), seals left unchecked, a seal not written.
function writeNotes(io: CommandIo, result: VerifyResult, notSealed: boolean): void {
  for (const table of result.tables.filter(t => t.backstopRows > 0)) {
    const more = table.backstopRows > table.backstopIds.length ? ', …' : '';
    io.stderr.write(
      `warning: ${terminalText(table.table)} has ${table.backstopRows} rows without a hash (written by the trigger backstop, or before ` +
        `tamper evidence was on): not chained; seals cover them from the next seal on. _audit_id ${table.backstopIds.join(', ')}${more}\n`,
    );
  }
  if (result.seals === 'not-checked') {
    io.stderr.write(
      'error: seals exist but no seal key was given, so only the hash chains were checked (seals and prune records were not). ' +
        'Set AUDIT_TRAIL_SEAL_KEY or pass --key-file <path> to check them.\n',
    );
  }
  if (notSealed) {
    io.stderr.write('error: not sealed: verify found changes; a seal would vouch for them.\n');
  }
}
