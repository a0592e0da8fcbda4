import type { CliCommand } from '../CliCommand.js';
import { auditedEntities } from '../auditedEntities.js';
import { flagOption } from '../options.js';
import { colors } from '../output/colors.js';
import { jsonDocument } from '../output/json.js';
import { renderTable } from '../output/table.js';
import { terminalText } from '../output/terminalText.js';
import { auditTableStatus, type AuditTableStatus } from '../../read/auditTableStatus.js';

/** `status`: per audited entity, its audit table, versions, oldest and newest, size and schema check; exit 1 if a table is wrong. */
export const statusCommand: CliCommand = {
  name: 'status',
  configure: command =>
    command
      .description('per audited entity: its audit table, number of versions, oldest and newest version, size, and the schema check (exit 1 when a table differs from its entity)')
      .option('--json', 'print JSON instead of a table'),
  async run(orm, io, _args, options) {
    const em = orm.em.fork();
    const statuses = await auditTableStatus(em, auditedEntities(em).map(entity => entity.plan));
    const failed = statuses.some(status => status.problems.length > 0);
    if (flagOption(options, 'json')) {
      io.stdout.write(jsonDocument({ entities: statuses.map(status => ({ ...status, schema: status.problems.length === 0 ? 'ok' : 'differs' })) }));
      return failed ? 1 : 0;
    }
    const c = colors(io.color);
    const rows = statuses.map(status => [
      status.entity,
      status.auditTable,
      status.rows,
      status.oldest,
      status.newest,
      status.sizeBytes === null ? 'n/a' : byteSize(status.sizeBytes),
      status.problems.length === 0 ? 'ok' : `${status.problems.length} problem${status.problems.length === 1 ? '' : 's'}`,
    ]);
    io.stdout.write(renderTable(['entity', 'audit table', 'versions', 'oldest', 'newest', 'size', 'schema'], rows, c));
    for (const status of statuses.filter(s => s.problems.length > 0)) {
      io.stdout.write(problemLines(status, c));
    }
    return failed ? 1 : 0;
  },
};

function problemLines(status: AuditTableStatus, c: ReturnType<typeof colors>): string {
  return status.problems.map(problem => `${c.red('✗')} ${terminalText(status.auditTable)}: ${terminalText(problem)}\n`).join('');
}

/** 1536 → "1.5 KiB". */
export function byteSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
