import type { ChangeType } from '../define/AuditColumns.js';
import { BrowserRequestError } from './BrowserRequestError.js';

/** The history filters of the query (all optional, ANDed); values are still text, typed against the entity later. */
export interface HistoryFilters {
  readonly types: readonly ChangeType[];
  readonly field?: string;
  readonly value?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly key?: string;
  readonly tx?: string;
}

/** Where a history page starts: older than `before`, or newer than `after` (both `_audit_id`). */
export interface HistoryPosition {
  readonly before?: number;
  readonly after?: number;
}

/** A request to the browser, routed by its query only (the path is wherever the application mounted it). */
export type BrowserRequest =
  | { readonly view: 'entities' }
  | { readonly view: 'history'; readonly entity: string; readonly filters: HistoryFilters; readonly position: HistoryPosition }
  | { readonly view: 'row'; readonly entity: string; readonly key: string }
  | { readonly view: 'asof'; readonly entity: string; readonly at?: Date; readonly key?: string; readonly afterKey?: string }
  | { readonly view: 'tx'; readonly tx: string }
  | { readonly view: 'export'; readonly entity: string; readonly format: 'csv' | 'json'; readonly filters: HistoryFilters };

const CHANGE_TYPES: readonly string[] = ['I', 'U', 'D'];

/** Reads the query of a request URL into a typed request; a missing or malformed parameter is a 400 naming it. */
export function parseQuery(url: string | undefined): BrowserRequest {
  const query = searchParamsOf(url);
  // Forms send empty fields for the filters left blank: they mean "no filter".
  const optional = (name: string): string | undefined => query.get(name) || undefined;
  const required = (name: string, expected: string): string => optional(name) ?? throwBad(name, expected);
  const view = optional('view');
  switch (view) {
    case undefined:
      return { view: 'entities' };
    case 'history':
      return { view, entity: required('entity', 'an entity name'), filters: filtersOf(query, optional), position: positionOf(optional) };
    case 'row':
      return { view, entity: required('entity', 'an entity name'), key: required('key', 'a primary key') };
    case 'asof': {
      const at = optional('at');
      return { view, entity: required('entity', 'an entity name'), at: at === undefined ? undefined : dateOf('at', at), key: optional('key'), afterKey: optional('afterKey') };
    }
    case 'tx':
      return { view, tx: required('tx', 'a transaction id') };
    case 'export': {
      const format = optional('format') ?? 'csv';
      if (format !== 'csv' && format !== 'json') {
        throwBad('format', "'csv' or 'json'");
      }
      return { view, entity: required('entity', 'an entity name'), format, filters: filtersOf(query, optional) };
    }
    default:
      return throwBad('view', 'one of history, row, asof, tx, export (or absent for the list of entities)');
  }
}

function filtersOf(query: URLSearchParams, optional: (name: string) => string | undefined): HistoryFilters {
  const types = query.getAll('type').flatMap(value => value.split(',')).map(type => type.trim().toUpperCase()).filter(Boolean);
  if (types.some(type => !CHANGE_TYPES.includes(type))) {
    throwBad('type', 'I, U or D (repeated or a comma list)');
  }
  const field = optional('field');
  const value = query.get('value') ?? undefined;
  if (field !== undefined && value === undefined) {
    throwBad('value', `given with field=${field}`);
  }
  const from = optional('from');
  const to = optional('to');
  return {
    types: [...new Set(types)] as ChangeType[],
    field,
    value: field === undefined ? undefined : value,
    from: from === undefined ? undefined : dateOf('from', from),
    to: to === undefined ? undefined : dateOf('to', to),
    key: optional('key'),
    tx: optional('tx'),
  };
}

function positionOf(optional: (name: string) => string | undefined): HistoryPosition {
  const before = optional('before');
  const after = optional('after');
  if (before !== undefined && after !== undefined) {
    throwBad('after', 'absent when before is given');
  }
  return { before: before === undefined ? undefined : auditIdOf('before', before), after: after === undefined ? undefined : auditIdOf('after', after) };
}

function auditIdOf(name: string, text: string): number {
  const id = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  return Number.isSafeInteger(id) ? id : throwBad(name, 'an _audit_id (a positive integer)');
}

/** An ISO 8601 date or date-time (`2026-03-01`, `2026-03-01T10:00`, `2026-03-01T10:00:00Z`); no zone means UTC. */
function dateOf(name: string, text: string): Date {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  // A datetime-local form field sends no zone: read it as UTC, the zone the pages show times in.
  const date = match ? new Date(match[2] ? `${match[1]}T${match[2]}${match[3] ?? 'Z'}` : match[1]!) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : throwBad(name, 'an ISO 8601 date or time, e.g. 2026-03-01T10:00:00Z');
}

function throwBad(name: string, expected: string): never {
  throw BrowserRequestError.badParameter(name, expected);
}

function searchParamsOf(url: string | undefined): URLSearchParams {
  let query: URLSearchParams;
  try {
    query = new URL(url ?? '/', 'http://browser.invalid').searchParams;
  } catch {
    throw new BrowserRequestError(400, 'The request target is not a valid URL.');
  }
  // No column holds a NUL, and PostgreSQL and SQLite refuse one in a statement's values.
  for (const [name, value] of query) {
    if (value.includes('\u0000')) {
      throwBad(name, 'text without NUL characters');
    }
  }
  return query;
}
