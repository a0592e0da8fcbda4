import { AUDIT_ACTOR, AUDIT_CHANGE_TYPE, AUDIT_ID, AUDIT_REASON, AUDIT_TIMESTAMP, AUDIT_TRANSACTION } from '../../define/AuditColumns.js';
import { asOf } from '../../read/asOf.js';
import { exportColumns, exportRecord } from '../../read/exportFormat.js';
import { historyEntity } from '../../read/historyEntity.js';
import { withReadSession } from '../../read/readSession.js';
import type { CliCommand } from '../CliCommand.js';
import { auditedEntity, entityKey } from '../auditedEntities.js';
import { flagOption, parseInstant } from '../options.js';
import { colors } from '../output/colors.js';
import { jsonDocument } from '../output/json.js';
import { renderRecord } from '../output/table.js';
import { terminalText } from '../output/terminalText.js';

const VERSION_COLUMNS = new Set([AUDIT_ID, AUDIT_TIMESTAMP, AUDIT_CHANGE_TYPE, AUDIT_ACTOR, AUDIT_REASON, AUDIT_TRANSACTION]);

/** `as-of <Entity> <id> <instant>`: the row as it was then (its latest version at or before); exit 1 if it did not exist. */
export const asOfCommand: CliCommand = {
  name: 'as-of',
  configure: command =>
    command
      .description('one row as it was at an instant: its latest version written at or before it; exit 1 when the row did not exist then (or was deleted)')
      .argument('<entity>', 'the audited entity, by class name (case-sensitive)')
      .argument('<id>', 'its primary key; a composite key as a JSON array, e.g. \'[1,"a"]\'')
      .argument('<instant>', 'ISO 8601 with a time zone, e.g. 2026-03-01T12:00:00Z, or a date (midnight UTC)')
      .option('--json', 'print JSON instead of a table'),
  async run(orm, io, [name, idText, instant], options) {
    const em = orm.em.fork();
    const entity = auditedEntity(em, name!);
    const id = entityKey(entity, idText!);
    const at = parseInstant(instant!, '<instant>');
    const row = await withReadSession(em, session => asOf(session, entity.type, id, at));
    const view = historyEntity(em, entity.plan);
    const columns = exportColumns(view);
    const values = row === null ? null : exportRecord(columns, row as Record<string, unknown>);
    if (flagOption(options, 'json')) {
      const state = values === null ? null : Object.fromEntries(columns.map((column, i) => [column, values[i]]));
      io.stdout.write(jsonDocument({ entity: view.name, id: idText, at: at.toISOString(), state }));
    } else if (values === null) {
      io.stderr.write(`${terminalText(view.name)} ${terminalText(idText!)} did not exist at ${at.toISOString()} (no version at or before it, or deleted).\n`);
    } else {
      // The row's fields first, then the version they come from.
      const pairs = columns.map((column, i) => [column, values[i]] as const);
      const ordered = [...pairs.filter(([column]) => !VERSION_COLUMNS.has(column)), ...pairs.filter(([column]) => VERSION_COLUMNS.has(column))];
      io.stdout.write(renderRecord(ordered, colors(io.color)));
    }
    return values === null ? 1 : 0;
  },
};
