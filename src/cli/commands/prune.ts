import type { Command } from 'commander';
import { CliUsageError } from '../../errors/CliUsageError.js';
import { pruneAudit } from '../../read/pruneAudit.js';
import { loadSealKey } from '../../tamper/SealKey.js';
import type { CliCommand } from '../CliCommand.js';
import { parseAge } from '../age.js';
import { batchSizeOption } from '../batchSizeOption.js';
import { flagOption, integerOption, stringOption } from '../options.js';
import { progressOutput } from '../output/progress.js';
import { selectedEntities } from '../selectedEntities.js';

/**
 * `prune <Entity|--all> [--older-than 365d] [--keep-last N] [--dry-run]`: `pruneAudit()` per entity, with its
 * progress on stderr and one summary line per entity on stdout. Each batch commits on its own: an interrupted
 * prune (Ctrl-C, a lost connection) leaves history consistent, and the same command run again finishes it.
 */
export const pruneCommand: CliCommand = {
  name: 'prune',
  configure(command: Command) {
    command
      .description('remove old versions (pruneAudit rules), in batches, with progress; safe to interrupt and run again')
      .argument('[entity]', 'the audited entity whose history to prune (class name)')
      .option('--all', 'every audited entity')
      .option('--older-than <age>', 'versions written before: an age (365d, 12h, 30m) or an ISO 8601 date or instant')
      .option('--keep-last <n>', 'keep the newest n versions of each row')
      .option('--dry-run', 'count what would be removed, remove nothing')
      .option('--batch-size <n>', 'versions removed per statement (default 5000)')
      .option('--key-file <path>', 'file holding the seal key, to prune tamper-evident entities (default: the environment variable AUDIT_TRAIL_SEAL_KEY)');
  },
  async run(orm, io, args, options) {
    const olderThan = stringOption(options, 'olderThan');
    const criteria = {
      olderThan: olderThan === undefined ? undefined : parseAge(olderThan, '--older-than'),
      keepLast: integerOption(options, 'keepLast'),
    };
    if (criteria.olderThan === undefined && criteria.keepLast === undefined) {
      throw CliUsageError.usage('prune needs --older-than <age>, --keep-last <n> or both, to say which versions go (e.g. --older-than 365d)', 'prune');
    }
    const batchSize = batchSizeOption(options);
    const dryRun = flagOption(options, 'dryRun');
    const sealKey = loadSealKey({ keyFile: stringOption(options, 'keyFile') });
    for (const entity of selectedEntities(orm.em, 'prune', args, options)) {
      const progress = progressOutput(io, `prune ${entity.name}`, 'audit rows');
      try {
        const result = await pruneAudit(orm.em.fork(), entity.type, {
          ...criteria,
          batchSize,
          dryRun,
          sealKey,
          onProgress: ({ done, total, removed }) => progress.update(done, total, `${removed} ${dryRun ? 'to remove' : 'removed'}`),
        });
        progress.stop();
        const verb = dryRun ? 'would remove' : 'removed';
        io.stdout.write(`${entity.name}: ${verb} ${result.removed} version${result.removed === 1 ? '' : 's'} in ${result.batches} batch${result.batches === 1 ? '' : 'es'}\n`);
      } finally {
        progress.stop();
      }
    }
    return 0;
  },
};

