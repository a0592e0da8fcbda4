import type { Dialect } from '../sql/Dialect.js';
import type { Token } from '../sql/statementTokens.js';

/** An audit table the guard protects. */
export interface GuardedTable {
  readonly entity: string;
  /** Whether a migration may drop this history column (the `dropRemovedColumns` option). */
  readonly droppable: (column: string) => boolean;
}

/** What one statement does to the protected audit tables. */
export type AuditTableEffect =
  | { readonly kind: 'written' | 'dropped'; readonly table: string }
  /** MikroORM's SQLite table rebuild: the rows were copied into `<table>__temp_alter`, or the original dropped. */
  | { readonly kind: 'rebuild-copy' | 'rebuild-drop'; readonly table: string };

// Any of these, anywhere in a statement that names an audit table (not as a function, `replace(…)`), changes rows;
// these others do as the statement's first word (elsewhere they may be column names: `select comment from …`).
const CHANGING = new Set(['insert', 'update', 'delete', 'replace', 'truncate', 'merge', 'upsert']);
const LEADING = new Set(['drop', 'alter', 'rename', 'create', 'load', 'copy', 'grant', 'revoke', 'comment', 'call', 'do', 'handler', 'prepare', 'execute', 'exec', 'import']);
// What may be created naming an audit table. Not a view: rows can be deleted through one.
const DEFINED_OBJECTS = new Set(['table', 'index', 'unique', 'trigger', 'function', 'procedure', 'event', 'sequence', 'type', 'temporary', 'temp', 'schema']);
const DROPPED_HARMLESSLY = new Set(['trigger', 'function', 'procedure', 'view', 'index', 'rule', 'event', 'sequence', 'type']);
const SCHEMA_REPAIRS = new Set(['constraint', 'index', 'key', 'foreign', 'primary', 'unique', 'check', 'default', 'not', 'identity', 'expression']);

/**
 * What `statement` does to an audit table in `tables`: nothing (a read, schema evolution, a definition), or a
 * change of rows or of history's shape. Conservative: any changing word in a statement that names an audit table
 * counts, except the schema changes MikroORM's schema tools and migrations make. `everyTable` says the statement
 * may name a table the reading cannot decode (PostgreSQL `UESCAPE`).
 */
export function auditTableEffect(statement: readonly Token[], tables: ReadonlyMap<string, GuardedTable>, dialect: Dialect, everyTable: boolean): AuditTableEffect | undefined {
  const word = (i: number) => (statement[i] && !statement[i].quoted ? statement[i].text : '');
  if (word(0) === 'drop' && ['schema', 'database', 'owned'].includes(word(1)) && tables.size > 0) {
    return { kind: 'dropped', table: tables.keys().next().value! };
  }
  const named = statement.find(token => tables.has(token.text))?.text ?? (everyTable ? tables.keys().next().value : undefined);
  const changing = (token: Token, i: number) =>
    !token.quoted && (CHANGING.has(token.text) || (i === 0 && LEADING.has(token.text))) && !functionCall(statement, i) && !lockingRead(statement, i);
  if (!named || !statement.some(changing)) {
    return undefined;
  }
  switch (word(0)) {
    case 'create':
      return word(1) === 'or' && word(2) === 'replace' && word(3) === 'table' ? { kind: 'dropped', table: named } : createdAllowed(statement, named);
    case 'comment':
      return undefined;
    case 'drop':
      return dropEffect(statement, tables, dialect, named);
    case 'alter':
      return alterEffect(statement, tables, dialect);
    case 'insert':
      return rebuildCopy(statement, tables, dialect) ?? { kind: 'written', table: named };
    case 'rename':
      return { kind: 'dropped', table: named };
    default:
      return { kind: 'written', table: named };
  }
}

function createdAllowed(statement: readonly Token[], named: string): AuditTableEffect | undefined {
  return statement.slice(1, 5).some(token => !token.quoted && DEFINED_OBJECTS.has(token.text)) ? undefined : { kind: 'dropped', table: named };
}

function dropEffect(statement: readonly Token[], tables: ReadonlyMap<string, GuardedTable>, dialect: Dialect, named: string): AuditTableEffect | undefined {
  const object = statement[1]?.text ?? '';
  if (DROPPED_HARMLESSLY.has(object)) {
    return undefined;
  }
  if (object !== 'table') {
    return { kind: 'dropped', table: named };
  }
  const dropped = statement.slice(2).find(token => tables.has(token.text))?.text ?? named;
  return { kind: dialect === 'sqlite' ? 'rebuild-drop' : 'dropped', table: dropped };
}

// `alter table <audit> …`: each action must be schema evolution, not a loss of history.
function alterEffect(statement: readonly Token[], tables: ReadonlyMap<string, GuardedTable>, dialect: Dialect): AuditTableEffect | undefined {
  let i = statement.findIndex(token => !token.quoted && token.text === 'table');
  if (i < 0 || i > 3) {
    return { kind: 'dropped', table: statement.find(token => tables.has(token.text))!.text };
  }
  i++;
  while (['if', 'exists', 'only'].includes(statement[i]?.text ?? '')) i++;
  if (statement[i + 1]?.text === '.') i += 2;
  const altered = statement[i]?.text ?? '';
  const temporary = /^(.*)__temp_alter$/.exec(altered);
  if (temporary && dialect === 'sqlite' && tables.has(temporary[1]!)) {
    return undefined;
  }
  const table = tables.get(altered);
  if (!table) {
    // Another table's change that names an audit table: attaching it as a partition, exchanging partitions.
    return { kind: 'dropped', table: statement.find(token => tables.has(token.text))!.text };
  }
  for (const action of actionsOf(statement.slice(i + 1))) {
    if (!evolves(action, table)) {
      return { kind: 'dropped', table: altered };
    }
  }
  return undefined;
}

function actionsOf(tokens: readonly Token[]): Token[][] {
  const actions: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    depth += token.text === '(' ? 1 : token.text === ')' ? -1 : 0;
    if (token.text === ',' && depth === 0 && !token.quoted) {
      actions.push([]);
    } else {
      actions[actions.length - 1]!.push(token);
    }
  }
  return actions.filter(action => action.length > 0);
}

function evolves(action: readonly Token[], table: GuardedTable): boolean {
  const words = action.filter(token => !['(', ')', '.'].includes(token.text));
  const [first, second] = words.map(token => (token.quoted ? '' : token.text));
  switch (first) {
    case 'add':
    case 'comment':
      return true;
    case 'alter':
    case 'modify':
    case 'change': {
      const column = words[second === 'column' ? 2 : 1]?.text;
      const using = action.findIndex(token => !token.quoted && token.text === 'using');
      // A type change that converts the column itself (`using ("c"::varchar(200))`) keeps its values; any other
      // expression (`using c || 'x'`, `using null`) rewrites history.
      const expression = action.slice(using + 1).filter(token => token.text !== '(' && token.text !== ')');
      return using < 0 || (expression[0]?.text === column && expression.slice(1).every(token => /^([a-z_0-9]|:$|,$)/.test(token.text)));
    }
    case 'rename':
      return ['column', 'index', 'key', 'constraint'].includes(second ?? '');
    case 'drop': {
      const target = words.slice(1).find(token => token.quoted || !['column', 'if', 'exists'].includes(token.text));
      const repair = !!target && !target.quoted && SCHEMA_REPAIRS.has(target.text) && second !== 'column';
      return repair || (!!target && table.droppable(target.text));
    }
    default:
      return false;
  }
}

// MikroORM's SQLite rebuild copies the rows first: `insert into <audit>__temp_alter select … from <audit>`.
function rebuildCopy(statement: readonly Token[], tables: ReadonlyMap<string, GuardedTable>, dialect: Dialect): AuditTableEffect | undefined {
  const copy = statement[1]?.text === 'into' ? /^(.*)__temp_alter$/.exec(statement[2]?.text ?? '') : null;
  const source = copy?.[1];
  const fromSource = statement.some((token, i) => token.text === source && statement[i - 1]?.text === 'from');
  return dialect === 'sqlite' && source && tables.has(source) && fromSource ? { kind: 'rebuild-copy', table: source } : undefined;
}

/** `replace(…)`, `insert(…)`, `truncate(…)`: functions, not statements (`update` and `delete` never are). */
export function functionCall(tokens: readonly Token[], i: number): boolean {
  return i > 0 && tokens[i + 1]?.text === '(' && !['update', 'delete'].includes(tokens[i]!.text);
}

/** `for update`, `for no key update`: the `update` of a locking read. */
export function lockingRead(tokens: readonly Token[], i: number): boolean {
  return tokens[i]?.text === 'update' && tokens.slice(Math.max(0, i - 3), i).some(token => token.text === 'for' && !token.quoted);
}

const WRITES = new Set(['insert', 'replace', 'update', 'delete', 'truncate', 'merge', 'copy', 'upsert', 'load']);
const DEFINITIONS = new Set(['create', 'alter', 'drop', 'comment', 'rename']);

// The tables a DML statement writes to: the one after `insert [into]`, `merge into`, `copy`; every table of
// `update … set` (joins included) and of `delete … [where]` (`using` and joins included, MySQL's multi-table
// delete); every table `truncate` names. Over-approximates joins, never misses a target. A definition
// (`create trigger …`) writes nothing when it runs; `replace(…)` and `insert(…)` are functions.
export function writeTargets(statement: readonly Token[]): string[] {
  if (isWord(statement[0]) && DEFINITIONS.has(statement[0]!.text)) {
    return [];
  }
  const targets: string[] = [];
  for (let i = 0; i < statement.length; i++) {
    const word = isWord(statement[i]) ? statement[i]!.text : '';
    if (!WRITES.has(word) || functionCall(statement, i) || lockingRead(statement, i)) {
      continue;
    }
    const end = ['update'].includes(word) ? ['set'] : word === 'delete' ? ['where', 'returning', 'order', 'limit'] : ['(', 'values', 'select', 'set', 'default', 'from', 'with', 'partition'];
    for (let j = i + 1; j < statement.length && !(isWord(statement[j]) && end.includes(statement[j]!.text)) && !(end.includes('(') && statement[j]!.text === '('); j++) {
      targets.push(statement[j]!.text);
    }
  }
  return targets;
}

function isWord(token: Token | undefined): boolean {
  return !!token && !token.quoted && /^[a-z_]/.test(token.text);
}
