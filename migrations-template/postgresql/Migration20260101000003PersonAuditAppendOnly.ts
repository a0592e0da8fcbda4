// Append-only at the database level: a trigger rejects every UPDATE, DELETE and TRUNCATE of person_audit,
// whoever sends it (the application, another service, a manual fix in psql). The library itself only ever
// INSERTs audit rows, so it keeps working. Optional: pruning history (retention) needs the trigger dropped
// for the duration, by a role allowed to do so.
//
// Alternative without triggers, when the application connects with its own role:
//   revoke update, delete, truncate on person_audit from app_role;
// (the table owner and superusers keep those rights, so the trigger is the stronger guarantee).
//
// To use: copy next to your migrations, rename the class, and replace person_audit with your audit table.
import { Migration } from '@mikro-orm/migrations';

const AUDIT_TABLE = 'person_audit';

export class Migration20260101000003PersonAuditAppendOnly extends Migration {
  override up(): void {
    this.addSql(`create or replace function audit_trail_reject_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit rows are append-only: % on % is not allowed', tg_op, tg_table_name
    using errcode = 'insufficient_privilege';
end
$$;`);
    this.addSql(`create trigger "${AUDIT_TABLE}_append_only" before update or delete on "${AUDIT_TABLE}"
  for each row execute function audit_trail_reject_change();`);
    this.addSql(`create trigger "${AUDIT_TABLE}_no_truncate" before truncate on "${AUDIT_TABLE}"
  for each statement execute function audit_trail_reject_change();`);
  }

  override down(): void {
    this.addSql(`drop trigger if exists "${AUDIT_TABLE}_no_truncate" on "${AUDIT_TABLE}";`);
    this.addSql(`drop trigger if exists "${AUDIT_TABLE}_append_only" on "${AUDIT_TABLE}";`);
    // audit_trail_reject_change() is shared by every audit table's triggers: drop it with the last of them.
  }
}
