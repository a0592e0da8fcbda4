import type { SqlNames, SqlStatement } from './SqlStatement.js';

/** `savepoint <name>`, and the statements that release it or roll back to it. */
export function buildSavepoint(names: SqlNames, name: string): { open: SqlStatement; release: SqlStatement; rollback: SqlStatement } {
  const q = names.quote(name);
  return {
    open: { sql: `savepoint ${q}`, params: [] },
    release: { sql: `release savepoint ${q}`, params: [] },
    rollback: { sql: `rollback to savepoint ${q}`, params: [] },
  };
}
