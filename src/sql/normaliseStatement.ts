import type { Dialect } from './Dialect.js';

/** A word of a statement, lowercased; a quoted identifier unquoted (`"Person_Audit"` → `person_audit`). */
export interface Token {
  readonly text: string;
  /** A quoted identifier is never a keyword. */
  readonly quoted: boolean;
}

/** One statement of a script, reduced to what decides what it touches: its words and identifiers, in order. */
export interface StatementTokens {
  readonly tokens: readonly Token[];
}

/**
 * Tokenizes application SQL the way the server would read it, for the write guard: comments are dropped (but
 * the code MySQL runs inside `/*! … *\/` kept), string literals emptied (dollar-quoted bodies, usually code, are
 * kept), quoted identifiers (`"…"`, `` `…` ``, PostgreSQL's `U&"…"`) unquoted. Whether a backslash escapes a quote depends on server settings the guard cannot
 * see (`NO_BACKSLASH_ESCAPES`, `standard_conforming_strings`), so both readings are returned: a statement is
 * judged by whichever finds more.
 */
export function statementReadings(sql: string, dialect: Dialect): StatementTokens[] {
  return [...splitStatements(tokenize(sql, dialect, false)), ...splitStatements(tokenize(sql, dialect, true))];
}

// A trigger or routine definition is one statement, whatever `;` its body holds.
function splitStatements(tokens: readonly Token[]): StatementTokens[] {
  const routine = !tokens[0]?.quoted && tokens[0]?.text === 'create' && tokens.some(token => !token.quoted && ROUTINES.has(token.text));
  if (routine) {
    return [{ tokens: tokens.filter(token => token.text !== ';' || token.quoted) }];
  }
  const statements: StatementTokens[] = [];
  let current: Token[] = [];
  for (const token of tokens) {
    if (token.text === ';' && !token.quoted) {
      statements.push({ tokens: current });
      current = [];
    } else {
      current.push(token);
    }
  }
  statements.push({ tokens: current });
  return statements.filter(statement => statement.tokens.length > 0);
}

const ROUTINES = new Set(['trigger', 'function', 'procedure', 'event', 'rule']);

function tokenize(sql: string, dialect: Dialect, backslashEscapes: boolean): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let body: string | undefined;
  let i = 0;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '/' && next === '*') {
      if (sql[i + 2] === '!') {
        // MySQL runs what is inside `/*!NNNNN … */`: read on, and skip the closing `*/` when met.
        i += 3;
        while (i < n && /\d/.test(sql[i]!)) i++;
        continue;
      }
      i = endOfBlockComment(sql, i);
    } else if (c === '*' && next === '/') {
      i += 2;
    } else if ((c === '-' && next === '-') || (c === '#' && dialect === 'mysql')) {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (c === "'") {
      i = endOfQuoted(sql, i, "'", backslashEscapes);
    } else if (c === '$' && dialect === 'postgresql' && /^\$[A-Za-z_]?\w*\$/.test(sql.slice(i, i + 64))) {
      // A dollar-quoted body is read as code (it is usually a function's), all of it part of one statement.
      const tag = /^\$[A-Za-z_]?\w*\$/.exec(sql.slice(i, i + 64))![0];
      body = body === tag ? undefined : (body ?? tag);
      i += tag.length;
    } else if (c === '"' || c === '`') {
      const end = endOfQuoted(sql, i, c, false);
      tokens.push({ text: unquote(sql.slice(i + 1, end - 1), c).toLowerCase(), quoted: true });
      i = end;
    } else if ((c === 'U' || c === 'u') && next === '&' && sql[i + 2] === '"') {
      const end = endOfQuoted(sql, i + 2, '"', false);
      tokens.push({ text: decodeUnicodeEscapes(unquote(sql.slice(i + 3, end - 1), '"')).toLowerCase(), quoted: true });
      i = end;
    } else if (/[A-Za-z_]/.test(c)) {
      let end = i + 1;
      while (end < n && /[\w$]/.test(sql[end]!)) end++;
      tokens.push({ text: sql.slice(i, end).toLowerCase(), quoted: false });
      i = end;
    } else {
      if (c === ';' && body === undefined) {
        tokens.push({ text: ';', quoted: false });
      }
      i++;
    }
  }
  return tokens;
}

function endOfBlockComment(sql: string, start: number): number {
  // PostgreSQL nests block comments.
  let depth = 0;
  for (let i = start; i < sql.length - 1; i++) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
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

// `U&"d\0061ta"` and `U&"\+000061"`: PostgreSQL's escapes in a Unicode identifier.
function decodeUnicodeEscapes(body: string): string {
  return body.replace(/\\(\+[0-9a-fA-F]{6}|[0-9a-fA-F]{4}|\\)/g, (_, code: string) =>
    code === '\\' ? '\\' : String.fromCodePoint(parseInt(code.replace('+', ''), 16)),
  );
}
