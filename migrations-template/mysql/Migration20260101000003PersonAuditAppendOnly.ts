// Append-only at the database level (MySQL / MariaDB): triggers reject every UPDATE and DELETE of person_audit,
// whoever sends it (the application, another service, a manual fix in the mysql client). The library itself
// only ever INSERTs audit rows, so it keeps working. Optional: pruning history (retention) needs the triggers
// dropped for the duration. TRUNCATE fires no trigger: also run
//   revoke drop on <database>.person_audit from 'app'@'%';
// if the application's user has that right (TRUNCATE needs DROP).
//
// To use: copy next to your migrations, rename the class, and replace person_audit with your audit table.
import { Migration } from '@mikro-orm/migrations';

const AUDIT_TABLE = 'person_audit';

export class Migration20260101000003PersonAuditAppendOnly extends Migration {
  override up(): void {
    for (const operation of ['update', 'delete']) {
      // SQLSTATE 45000 is the generic user-defined error; the message names the table and the operation.
      this.addSql(`create trigger \`${AUDIT_TABLE}_no_${operation}\` before ${operation} on \`${AUDIT_TABLE}\` for each row
  signal sqlstate '45000' set message_text = 'audit rows are append-only: ${operation.toUpperCase()} on ${AUDIT_TABLE} is not allowed';`);
    }
  }

  override down(): void {
    for (const operation of ['update', 'delete']) {
      this.addSql(`drop trigger if exists \`${AUDIT_TABLE}_no_${operation}\`;`);
    }
  }
}
