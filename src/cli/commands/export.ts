import { createWriteStream } from 'node:fs';
import { Option } from 'commander';
import { AUDIT_TIMESTAMP } from '../../define/AuditColumns.js';
import { csvText, exportColumns, exportRecord, jsonRecord } from '../../read/exportFormat.js';
import { historyBatches } from '../../read/historyBatches.js';
import { historyEntity } from '../../read/historyEntity.js';
import type { CliCommand, CommandOptions } from '../CliCommand.js';
import { auditedEntity } from '../auditedEntities.js';
import { choiceOption, parseInstant, stringOption } from '../options.js';
import { OutputSink } from '../output/OutputSink.js';
import { terminalText } from '../output/terminalText.js';

const FORMATS = ['jsonl', 'csv'] as const;

/** `export <Entity>`: its versions, oldest first, as JSON lines or CSV, to stdout or a file, in constant memory. */
export const exportCommand: CliCommand = {
  name: 'export',
  configure: command =>
    command
      .description('the versions of an entity, oldest first, as JSON lines or CSV, streamed in batches (constant memory)')
      .argument('<entity>', 'the audited entity, by class name (case-sensitive)')
      .addOption(new Option('--format <format>', 'jsonl: one JSON object per line; csv: a header line, then one line per version (formulas neutralised)').choices(FORMATS).makeOptionMandatory())
      .option('--since <instant>', 'only versions written at or after this instant (ISO 8601 with a time zone, or a date)')
      .option('--until <instant>', 'only versions written before this instant (exclusive, so that consecutive ranges do not overlap)')
      .option('--output <file>', 'write to this file (replaced) instead of stdout'),
  async run(orm, io, [name], options) {
    const em = orm.em.fork();
    const view = historyEntity(em, auditedEntity(em, name!).plan);
    const format = choiceOption(options, 'format', FORMATS);
    const where = timeRange(options);
    const file = stringOption(options, 'output');
    const sink = new OutputSink(file === undefined ? io.stdout : createWriteStream(file));
    const columns = exportColumns(view);
    let written = 0;
    if (format === 'csv' && !(await sink.write(csvText([columns])))) {
      return 0;
    }
    for await (const rows of historyBatches(em, view, where, 'asc')) {
      const records = rows.map(row => exportRecord(columns, row));
      const text = format === 'csv' ? csvText(records) : records.map(record => `${jsonRecord(columns, record)}\n`).join('');
      // The reader went away (`| head`): what it wanted is written.
      if (!(await sink.write(text))) {
        return 0;
      }
      written += rows.length;
    }
    if (file !== undefined) {
      await sink.end();
      io.stderr.write(`Exported ${written} version${written === 1 ? '' : 's'} of ${view.name} to ${terminalText(file)}.\n`);
    }
    return 0;
  },
};

function timeRange(options: CommandOptions): Record<string, unknown> {
  const since = stringOption(options, 'since');
  const until = stringOption(options, 'until');
  const range = {
    ...(since !== undefined && { $gte: parseInstant(since, '--since') }),
    ...(until !== undefined && { $lt: parseInstant(until, '--until') }),
  };
  return Object.keys(range).length === 0 ? {} : { [AUDIT_TIMESTAMP]: range };
}
