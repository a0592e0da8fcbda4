import type { Dialect } from './Dialect.js';

/** A word or punctuation of a statement, lowercased; a quoted identifier unquoted (`"Person_Audit"` → `person_audit`). */
export interface Token {
  readonly text: string;
  /** A quoted identifier (or, in a reading that keeps them, a string's word) is never a keyword. */
  readonly quoted: boolean;
}

/** How one reading treats comments and string literals. */
interface ReadingMode {
  /** Comments as the server reads them (`false`: every comment's text read as code). */
  readonly comments: boolean;
  /** Whether a backslash escapes a quote in a string (servers differ by setting). */
  readonly backslashEscapes: boolean;
  /** Whether the words inside string literals are read as code (dynamic SQL: `DO '…'`, `PREPARE … FROM '…'`). */
  readonly stringsAsCode: boolean;
}

const MODES: readonly ReadingMode[] = [
  { comments: true, backslashEscapes: false, stringsAsCode: false },
  { comments: true, backslashEscapes: true, stringsAsCode: false },
  { comments: false, backslashEscapes: false, stringsAsCode: false },
];
const DYNAMIC = new Set(['do', 'prepare', 'execute', 'exec', 'call', 'function', 'procedure', 'trigger', 'event', 'rule']);

/**
 * Readings of application SQL, for the write guard: what a statement does depends on server settings and dialect
 * rules the guard cannot see (whether a backslash escapes a quote, whether `--1` starts a comment, whether block
 * comments nest, MariaDB's `/*M! … *\/`), so the statement is read several ways, and judged by every reading. A
 * statement that runs SQL from a string (`DO '…'`, `PREPARE … FROM '…'`, a routine body) is also read with its
 * strings as code.
 */
export function statementReadings(sql: string, dialect: Dialect): Token[][] {
  const readings = MODES.map(mode => tokenize(sql, dialect, mode));
  if (readings.some(tokens => tokens.some(token => !token.quoted && DYNAMIC.has(token.text)))) {
    readings.push(tokenize(sql, dialect, { comments: false, backslashEscapes: false, stringsAsCode: true }));
  }
  return readings;
}

function tokenize(sql: string, dialect: Dialect, mode: ReadingMode): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let body: string | undefined;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '/' && next === '*') {
      i = mode.comments && !/^\/\*M?!/.test(sql.slice(i, i + 4)) ? endOfBlockComment(sql, i, dialect === 'postgresql') : i + 2;
    } else if (c === '-' && next === '-' && mode.comments && (dialect !== 'mysql' || /[\s\0-\x1f]/.test(sql[i + 2] ?? ' '))) {
      i = endOfLine(sql, i);
    } else if (c === '#' && dialect === 'mysql' && mode.comments) {
      i = endOfLine(sql, i);
    } else if (c === "'" && body === undefined) {
      const end = endOfQuoted(sql, i, "'", mode.backslashEscapes);
      if (mode.stringsAsCode) {
        tokens.push(...tokenize(sql.slice(i + 1, end - 1), dialect, mode));
      }
      i = end;
    } else if (c === '$' && dialect === 'postgresql' && /^\$[A-Za-z_]?\w*\$/.test(sql.slice(i, i + 64))) {
      // A dollar-quoted body is read as code (it is usually a function's), all of it part of one statement.
      const tag = /^\$[A-Za-z_]?\w*\$/.exec(sql.slice(i, i + 64))![0];
      body = body === tag ? undefined : (body ?? tag);
      i += tag.length;
    } else if (c === '"' || c === '`') {
      // Without ANSI_QUOTES, MySQL reads `"…"` as a string, whose backslashes escape: both readings.
      const end = endOfQuoted(sql, i, c, mode.backslashEscapes && c === '"');
      tokens.push({ text: unquote(sql.slice(i + 1, end - 1), c).toLowerCase(), quoted: true });
      i = end;
    } else if ((c === 'U' || c === 'u') && next === '&' && (sql[i + 2] === '"' || sql[i + 2] === "'")) {
      const end = endOfQuoted(sql, i + 2, sql[i + 2]!, false);
      tokens.push({ text: decodeUnicodeEscapes(unquote(sql.slice(i + 3, end - 1), sql[i + 2]!)).toLowerCase(), quoted: true });
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      let end = i + 1;
      while (end < n && /[\w$]/.test(sql[end]!)) end++;
      tokens.push({ text: sql.slice(i, end).toLowerCase(), quoted: false });
      i = end;
    } else {
      if (!/\s/.test(c) && !(c === ';' && body !== undefined)) {
        tokens.push({ text: c, quoted: false });
      }
      i++;
    }
  }
  return tokens;
}

function endOfLine(sql: string, start: number): number {
  const end = sql.indexOf('\n', start);
  return end === -1 ? sql.length : end + 1;
}

// PostgreSQL nests block comments; MySQL and SQLite end one at the first `*/`.
function endOfBlockComment(sql: string, start: number, nested: boolean): number {
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    if (sql[i] === '/' && sql[i + 1] === '*' && (nested || depth === 0)) {
      depth++;
      i++;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i++;
      if (depth === 0) {
        return i + 1;
      }
    }
  }
  return sql.length;
}

// The index after the closing quote; a doubled quote (and, if asked, a backslash) escapes one.
function endOfQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (backslashEscapes && sql[i] === '\\') {
      i++;
    } else if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i++;
      } else {
        return i + 1;
      }
    }
  }
  return sql.length;
}

function unquote(body: string, quote: string): string {
  return body.split(quote + quote).join(quote);
}

// `U&"d\0061ta"` and `U&"\+000061"`: PostgreSQL's escapes in a Unicode identifier. (With `UESCAPE`, another
// character escapes: the guard then treats the statement as naming every protected table.)
function decodeUnicodeEscapes(body: string): string {
  return body.replace(/\\(\+[0-9a-fA-F]{6}|[0-9a-fA-F]{4}|\\)/g, (_, code: string) =>
    code === '\\' ? '\\' : String.fromCodePoint(parseInt(code.replace('+', ''), 16)),
  );
}

const BLOCK_OPEN = new Set(['begin', 'if', 'case', 'loop', 'while', 'repeat']);

/**
 * The statements of one reading, split at `;`. A routine or trigger definition (`create … trigger|function|
 * procedure|event`) keeps the `;` of its body (`begin … end`, `if … end if`): the server reads it as one statement.
 */
export function splitStatements(tokens: readonly Token[]): Token[][] {
  const statements: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token.quoted && current.length > 0 && isRoutineDefinition(current)) {
      const previous = current[current.length - 1]?.text;
      if (BLOCK_OPEN.has(token.text) && !(token.text === 'if' && ['not', 'exists'].includes(tokens[i + 1]?.text ?? '')) && previous !== 'end') {
        depth++;
      } else if (token.text === 'end') {
        depth = Math.max(0, depth - 1);
      }
    }
    if (!token.quoted && token.text === ';' && depth === 0) {
      statements.push(current);
      current = [];
    } else {
      current.push(token);
    }
  }
  statements.push(current);
  return statements.filter(statement => statement.length > 0);
}

function isRoutineDefinition(tokens: readonly Token[]): boolean {
  return tokens[0]?.text === 'create' && tokens.slice(1, 6).some(token => ['trigger', 'function', 'procedure', 'event'].includes(token.text));
}
