import type { Command } from 'commander';
import { auditContext, type AuditContextData } from '../../context/AuditContext.js';
import { CliUsageError } from '../../errors/CliUsageError.js';
import { auditPlansOf } from '../../read/auditPlanOf.js';
import { backfillAudit } from '../../write/backfillAudit.js';
import type { CliCommand } from '../CliCommand.js';
import { batchSizeOption } from '../batchSizeOption.js';
import { stringOption } from '../options.js';
import { progressOutput } from '../output/progress.js';
import { selectedEntities } from '../selectedEntities.js';

/**
 * `backfill <Entity|--all>`: `backfillAudit()` per entity (an `I` version for every live row without history,
 * `_audit_reason` 'backfill'), with its progress on stderr and one summary line per entity on stdout. Idempotent,
 * and resumable: an interrupted backfill keeps its committed batches, the same command run again does the rest.
 */
export const backfillCommand: CliCommand = {
  name: 'backfill',
  configure(command: Command) {
    command
      .description('write an initial I version for every live row without history, in batches, with progress; idempotent and resumable')
      .argument('[entity]', 'the audited entity to backfill (class name)')
      .option('--all', 'every audited entity')
      .option('--actor <user>', 'the actor recorded in _audit_actor (default: none)')
      .option('--reason <text>', 'the reason recorded in _audit_reason (default: backfill)')
      .option('--batch-size <n>', 'rows per batch, each in a transaction of its own (default 1000)');
  },
  async run(orm, io, args, options) {
    const batchSize = batchSizeOption(options);
    const reason = stringOption(options, 'reason');
    const entities = selectedEntities(orm.em, 'backfill', args, options);
    const context = actorContext(orm.em, stringOption(options, 'actor'));
    for (const entity of entities) {
      const progress = progressOutput(io, `backfill ${entity.name}`, 'rows');
      try {
        const run = () =>
          backfillAudit(orm.em.fork(), entity.type, {
            batchSize,
            reason,
            onProgress: ({ done, total, written }) => progress.update(done, total, `${written} written`),
          });
        const result = await auditContext.run(context, run);
        progress.stop();
        const versions = `${result.written} I version${result.written === 1 ? '' : 's'}`;
        io.stdout.write(`${entity.name}: wrote ${versions} in ${result.batches} batch${result.batches === 1 ? '' : 'es'}\n`);
      } finally {
        progress.stop();
      }
    }
    return 0;
  },
};

// The audit context of the backfill's versions: `--actor`, as a number when `_audit_actor` holds numbers. Without
// it, a config with requireActor: 'error' refuses with the CLI's fix rather than the application's.
function actorContext(em: Parameters<typeof auditPlansOf>[0], actor: string | undefined): AuditContextData {
  const plans = auditPlansOf(em)!;
  if (actor === undefined) {
    if (plans.requireActor === 'error') {
      throw CliUsageError.usage("backfill needs --actor <user>: the config requires an actor for every write (requireActor: 'error')", 'backfill');
    }
    return { user: null };
  }
  if (plans.actor?.type === 'number') {
    if (!/^-?\d+$/.test(actor)) {
      throw CliUsageError.badValue('--actor', 'an integer (the config stores actors as numbers)', actor);
    }
    return { user: Number(actor) };
  }
  return { user: actor };
}
