// Backfill: one initial snapshot (change type 'I') of every row that has no history yet, so that history starts
// complete when auditing is switched on for a table that already holds data (like django-simple-history's
// populate_history). Runs in batches of BATCH_SIZE rows in key order, so no statement holds every row at once.
// It is idempotent: rows that already have history are skipped, so it can run after auditing went live.
//
// To use: copy next to your migrations, rename the class (keep the timestamp after the migration that created the
// audit table), and set the constants. The copied columns are read from the database: every column the audit
// table shares with the source table.
import { Migration } from '@mikro-orm/migrations';
import { allowAuditTableWrites } from 'mikro-orm-audit-trail';

const SOURCE_TABLE = 'person';
const AUDIT_TABLE = 'person_audit';
/** The source table's primary key column (a single column). */
const KEY = 'id';
/** The column that says who made the row (the built-in actor column, or a track field), and the value that marks a backfill. */
const MARK_COLUMN = '_audit_actor';
const MARK_VALUE = '(backfill)';
const BATCH_SIZE = 1000;

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export class Migration20260101000002PersonAuditBackfill extends Migration {
  override async up(): Promise<void> {
    const shared = await this.execute(
      `select a.column_name as name from information_schema.columns a
       join information_schema.columns s on s.table_schema = a.table_schema and s.table_name = ? and s.column_name = a.column_name
       where a.table_schema = current_schema() and a.table_name = ? order by a.ordinal_position`,
      [SOURCE_TABLE, AUDIT_TABLE],
    );
    const columns = shared.map(row => quote(String(row.name)));
    if (!columns.includes(quote(KEY))) {
      throw new Error(`${AUDIT_TABLE} shares no column ${KEY} with ${SOURCE_TABLE}: check the constants of this migration`);
    }
    const key = quote(KEY);
    // This is deliberate maintenance of the audit table, which the library otherwise keeps append-only.
    await allowAuditTableWrites(async () => {
      let last: unknown = null;
      for (;;) {
        const after = last === null ? 'true' : `s.${key} > ?`;
        const [bound] = await this.execute(
          `select s.${key} as upper from ${quote(SOURCE_TABLE)} s where ${after} order by s.${key} offset ${BATCH_SIZE - 1} limit 1`,
          last === null ? [] : [last],
        );
        const upper: unknown = bound?.upper ?? null;
        await this.execute(
          `insert into ${quote(AUDIT_TABLE)} (${columns.join(', ')}, "_audit_timestamp", "_audit_change_type", ${quote(MARK_COLUMN)})
           select ${columns.map(c => `s.${c}`).join(', ')}, now(), 'I', ?
           from ${quote(SOURCE_TABLE)} s
           where ${after} ${upper === null ? '' : `and s.${key} <= ?`}
           and not exists (select 1 from ${quote(AUDIT_TABLE)} a where a.${key} = s.${key})`,
          [MARK_VALUE, ...(last === null ? [] : [last]), ...(upper === null ? [] : [upper])],
        );
        if (upper === null) {
          return;
        }
        last = upper;
      }
    });
  }

  override async down(): Promise<void> {
    await allowAuditTableWrites(async () => {
      await this.execute(`delete from ${quote(AUDIT_TABLE)} where "_audit_change_type" = 'I' and ${quote(MARK_COLUMN)} = ?`, [MARK_VALUE]);
    });
  }
}
