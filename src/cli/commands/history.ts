import { AUDIT_ACTOR, AUDIT_CHANGE_TYPE, AUDIT_ID, AUDIT_REASON, AUDIT_TIMESTAMP } from '../../define/AuditColumns.js';
import { auditHistory } from '../../read/auditHistory.js';
import type { FieldChange } from '../../read/diffVersions.js';
import { exportColumns, exportRecord } from '../../read/exportFormat.js';
import { exportValue, formatText } from '../../read/exportValue.js';
import { historyEntity, type HistoryEntity } from '../../read/historyEntity.js';
import { withReadSession } from '../../read/readSession.js';
import type { CliCommand, CommandIo } from '../CliCommand.js';
import { auditedEntity, entityKey } from '../auditedEntities.js';
import { flagOption } from '../options.js';
import { colors, type Colors } from '../output/colors.js';
import { jsonDocument } from '../output/json.js';
import { renderTable, ShownText, type Cell } from '../output/table.js';
import { terminalText } from '../output/terminalText.js';

// Short headings for the audit columns (JSON output has their real names).
const AUDIT_HEADINGS: Readonly<Record<string, string>> = {
  [AUDIT_ID]: 'version',
  [AUDIT_TIMESTAMP]: 'timestamp',
  [AUDIT_CHANGE_TYPE]: 'change',
  [AUDIT_ACTOR]: 'actor',
  [AUDIT_REASON]: 'reason',
};

type Row = Readonly<Record<string, unknown>>;
type Changes = Readonly<Record<string, FieldChange>>;

/** `history <Entity> <id>`: the versions of one row, oldest first; exit 1 when it has none. */
export const historyCommand: CliCommand = {
  name: 'history',
  configure: command =>
    command
      .description('the versions of one row, oldest first (also of a deleted row); exit 1 when it has none')
      .argument('<entity>', 'the audited entity, by class name (case-sensitive)')
      .argument('<id>', 'its primary key; a composite key as a JSON array, e.g. \'[1,"a"]\'')
      .option('--diffs', 'show what changed in each version instead of the whole row')
      .option('--json', 'print JSON instead of a table'),
  async run(orm, io, [name, idText], options) {
    const em = orm.em.fork();
    const entity = auditedEntity(em, name!);
    const id = entityKey(entity, idText!);
    const versions = (await withReadSession(em, session => auditHistory(session, entity.type, id, { diffs: true }))).reverse();
    if (versions.length === 0) {
      io.stderr.write(`No history of ${terminalText(entity.name)} ${terminalText(idText!)}.\n`);
      return 1;
    }
    const view = historyEntity(em, entity.plan);
    const rows = versions.map(({ version, changes }) => ({ version: version as Row, changes: changes as Changes }));
    if (flagOption(options, 'json')) {
      io.stdout.write(jsonDocument(historyJson(view, idText!, rows, flagOption(options, 'diffs'))));
    } else {
      writeTable(io, view, rows, flagOption(options, 'diffs'));
    }
    return 0;
  },
};

interface Version {
  readonly version: Row;
  readonly changes: Changes;
}

function historyJson(view: HistoryEntity, id: string, versions: readonly Version[], diffs: boolean): object {
  const columns = exportColumns(view);
  const record = (row: Row) => {
    const values = exportRecord(columns, row);
    return Object.fromEntries(columns.map((name, i) => [name, values[i]]));
  };
  return {
    entity: view.name,
    id,
    versions: versions.map(({ version, changes }) => (diffs ? { version: record(version), changes: changesJson(changes) } : record(version))),
  };
}

function changesJson(changes: Changes): Record<string, { from: unknown; to: unknown }> {
  return Object.fromEntries(Object.entries(changes).map(([name, change]) => [name, { from: exportValue(change.from), to: exportValue(change.to) }]));
}

function writeTable(io: CommandIo, view: HistoryEntity, versions: readonly Version[], diffs: boolean): void {
  const c = colors(io.color);
  const audit = [AUDIT_ID, AUDIT_TIMESTAMP, ...(view.hasChangeType ? [AUDIT_CHANGE_TYPE] : []), ...(view.hasActor ? [AUDIT_ACTOR] : []), AUDIT_REASON];
  const track = view.trackFields.map(prop => prop.name);
  const row = diffs ? [] : view.columns.map(prop => prop.name);
  const head = [...audit.map(name => AUDIT_HEADINGS[name] ?? name), ...track, ...(diffs ? ['changes'] : row)];
  const rows = versions.map(({ version, changes }): Cell[] => [
    ...[...audit, ...track, ...row].map(name => version[name]),
    ...(diffs ? [changesCell(changes, c, version[AUDIT_CHANGE_TYPE] === 'D')] : []),
  ]);
  io.stdout.write(renderTable(head, rows, c));
}

function changesCell(changes: Changes, c: Colors, deleted: boolean): ShownText {
  if (deleted) {
    return new ShownText(c.dim('(deleted)'));
  }
  const shown = (value: unknown) => (formatText(value) === null ? c.dim('null') : terminalText(formatText(value)!));
  const lines = Object.entries(changes).map(([name, change]) => `${terminalText(name)}: ${shown(change.from)} → ${shown(change.to)}`);
  return new ShownText(lines.join('\n'));
}
