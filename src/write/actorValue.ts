import type { ResolvedActorColumn } from '../define/AuditTrailOptions.js';
import { ActorErrors } from '../errors/index.js';

/**
 * What `_audit_actor` stores for the audit context's `user`: a string column stores strings and numbers as their
 * decimal text, a number column integers and integer strings. A user `_audit_actor` cannot hold fails the write
 * (naming `entity`) rather than be cut or lost. A user of another type (an object, which `AuditContextData` does not
 * admit) is not stored: a track field can store what it holds.
 */
export function actorValue(column: ResolvedActorColumn, user: unknown, entity: string): string | number | null {
  if (typeof user !== 'string' && typeof user !== 'number' && typeof user !== 'bigint') {
    return null;
  }
  return column.type === 'number' ? numericActor(user, entity) : textActor(user, column.length!, entity);
}

function textActor(user: string | number | bigint, length: number, entity: string): string {
  const text = typeof user === 'string' ? user : String(user);
  // Counted as the database counts characters (code points), only when the UTF-16 length says it may be too long.
  if (text.length > length && [...text].length > length) {
    throw ActorErrors.invalid(
      entity,
      `${text.slice(0, 40)}…`,
      `at most ${length} characters`,
      `Give withAuditTrail() actor: { length: <enough> } and create a migration, or store a shorter user.`,
    );
  }
  return text;
}

function numericActor(user: string | number | bigint, entity: string): number {
  const value = typeof user === 'string' ? (/^-?\d+$/.test(user) ? Number(user) : Number.NaN) : Number(user);
  if (!Number.isSafeInteger(value)) {
    throw ActorErrors.invalid(
      entity,
      user,
      "integers (withAuditTrail() actor: { type: 'number' })",
      `Give auditContext.run() the numeric user id, or remove actor: { type: 'number' } to store any user as text.`,
    );
  }
  return value;
}
