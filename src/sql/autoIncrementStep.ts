import type { SqlStatement } from './SqlStatement.js';

/**
 * MySQL/MariaDB: the step between the keys one multi-row insert generates on this session (`step`). It is not
 * 1 on multi-primary and Galera clusters, which set `auto_increment_increment` per node.
 */
export function autoIncrementStep(): SqlStatement {
  return { sql: 'select @@session.auto_increment_increment as step', params: [] };
}
