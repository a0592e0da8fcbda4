import { AUDIT_CHANGE_TYPE, AUDIT_REASON, AUDIT_TIMESTAMP, AUDIT_TRANSACTION } from '../define/AuditColumns.js';
import { databaseClockInTrigger } from './databaseClock.js';
import type { Dialect } from './Dialect.js';
import type { SqlNames, SqlStatement } from './SqlStatement.js';

/** What the backstop triggers of one audited table need to know about it. */
export interface BackstopTable extends SqlNames {
  readonly sourceTable: string;
  readonly auditTable: string;
  readonly copiedColumns: readonly string[];
  readonly saveChangeType: boolean;
  readonly auditDeletes: boolean;
  /** The columns that receive the actor: `_audit_actor` (unless `actor: false`) and `actorField`'s track field. */
  readonly actorColumns: readonly BackstopActorColumn[];
  /** MySQL/MariaDB: the offset of the time zone MikroORM stores `datetime` values in (see `databaseClock`). */
  readonly utcOffsetMinutes: number;
}

/** A column the backstop triggers fill with the actor. */
export interface BackstopActorColumn {
  readonly name: string;
  /**
   * A number column (`actor: { type: 'number' }`) receives the application's actor only, which the library checked
   * is an integer; a text column falls back to the database user when the application gave none.
   */
  readonly numeric: boolean;
}

/** The statements that install (`up`) and remove (`down`) the backstop triggers of one audited table. */
export interface BackstopStatements {
  readonly up: string[];
  readonly down: string[];
}

/** A MikroORM 7 trigger definition (`EntityMetadata.triggers`): its schema diff then creates and keeps the trigger. */
export interface TriggerDefinition {
  name: string;
  timing: 'after';
  events: ('insert' | 'update' | 'delete')[];
  forEach: 'row';
  body: string;
}

const SETTING = 'mikro_orm_audit';

/**
 * Row triggers on the source table that write the audit row of every insert, update and delete the application
 * layer did not record itself (raw SQL, other applications, manual fixes): the library marks the statements it
 * records with a transaction-local setting (PostgreSQL) or session variable (MySQL/MariaDB), which the triggers
 * skip. Masked columns and track fields other than the actor stay NULL in trigger rows: their values are computed
 * in the application.
 */
export function buildBackstopStatements(table: BackstopTable): BackstopStatements {
  const { quote: q, sourceTable } = table;
  const name = backstopName(table);
  if (table.dialect === 'postgresql') {
    const fn = q(`${name}_fn`);
    return {
      up: [
        `create or replace function ${fn}() returns trigger language plpgsql as $$ begin ${postgresBody(table)} end $$`,
        `drop trigger if exists ${q(name)} on ${q(sourceTable)}`,
        `create trigger ${q(name)} after ${postgresEvents(table).join(' or ')} on ${q(sourceTable)} for each row execute function ${fn}()`,
      ],
      down: [`drop trigger if exists ${q(name)} on ${q(sourceTable)}`, `drop function if exists ${fn}()`],
    };
  }
  const operations = [
    ['insert', 'new', "'I'"],
    ['update', 'new', "'U'"],
    ...(table.auditDeletes ? [['delete', 'old', "'D'"] as const] : []),
  ] as const;
  const up: string[] = [];
  const down: string[] = [];
  for (const [operation, row, changeType] of operations) {
    const trigger = q(`${name}_${operation}`);
    down.push(`drop trigger if exists ${trigger}`);
    up.push(
      `drop trigger if exists ${trigger}`,
      `create trigger ${trigger} after ${operation} on ${q(sourceTable)} for each row
if coalesce(@${SETTING}_recorded, 0) = 0 then
  ${auditInsert(table, row, changeType)}
end if`,
    );
  }
  return { up, down };
}

/** The backstop as trigger definitions of the source entity, for MikroORM 7's schema diff (PostgreSQL only). */
export function buildBackstopTriggerDefinitions(table: BackstopTable): TriggerDefinition[] {
  return table.dialect === 'postgresql'
    ? [{ name: backstopName(table), timing: 'after', events: postgresEvents(table), forEach: 'row', body: postgresBody(table) }]
    : [];
}

/**
 * Tells the triggers that the statements that follow on this transaction are recorded by the library (or no
 * longer), and who makes them and why. The actor and reason travel as parameters.
 */
export function buildRecordedMark(dialect: Dialect, recorded: boolean, actor: string | null, reason: string | null): SqlStatement {
  if (dialect === 'postgresql') {
    return {
      sql:
        `select set_config('${SETTING}.recorded', ?, true), set_config('${SETTING}.actor', coalesce(?, ''), true), ` +
        `set_config('${SETTING}.reason', coalesce(?, ''), true)`,
      params: [recorded ? 'on' : 'off', actor, reason],
    };
  }
  // Cleared with the flag, so that a later write on the same pooled connection is not attributed to this context.
  return {
    sql: `set @${SETTING}_recorded = ?, @${SETTING}_actor = ?, @${SETTING}_reason = ?`,
    params: recorded ? [1, actor, reason] : [0, null, null],
  };
}

function backstopName(table: BackstopTable): string {
  return `${table.auditTable.split('.').pop()}_backstop`;
}

function postgresEvents(table: BackstopTable): ('insert' | 'update' | 'delete')[] {
  return table.auditDeletes ? ['insert', 'update', 'delete'] : ['insert', 'update'];
}

// The PL/pgSQL statements of the trigger function: skip what the library records, else insert the audit row.
function postgresBody(table: BackstopTable): string {
  return (
    `if coalesce(current_setting('${SETTING}.recorded', true), '') = 'on' then return null; end if; ` +
    (table.auditDeletes ? `if tg_op = 'DELETE' then ${auditInsert(table, 'old', "'D'")} return null; end if; ` : '') +
    `${auditInsert(table, 'new', "case when tg_op = 'INSERT' then 'I' else 'U' end")} return null;`
  );
}

// The INSERT a trigger runs: the audit columns it fills, with their values from a row (`new`/`old`) of the source.
function auditInsert(table: BackstopTable, row: string, changeType: string): string {
  const { quote: q, copiedColumns, actorColumns, saveChangeType } = table;
  const postgres = table.dialect === 'postgresql';
  const columns = [...copiedColumns, AUDIT_TIMESTAMP, AUDIT_TRANSACTION, AUDIT_REASON, ...(saveChangeType ? [AUDIT_CHANGE_TYPE] : []), ...actorColumns.map(actor => actor.name)];
  const applicationActor = postgres ? `nullif(current_setting('${SETTING}.actor', true), '')` : `@${SETTING}_actor`;
  const values = [
    ...copiedColumns.map(column => `${row}.${q(column)}`),
    databaseClockInTrigger(table.dialect, table.utcOffsetMinutes).sql,
    postgres ? 'txid_current()::text' : 'null',
    postgres ? `nullif(current_setting('${SETTING}.reason', true), '')` : `@${SETTING}_reason`,
    ...(saveChangeType ? [changeType] : []),
    ...actorColumns.map(actor =>
      actor.numeric
        ? postgres ? `cast(${applicationActor} as bigint)` : `cast(${applicationActor} as signed)`
        : `coalesce(${applicationActor}, ${postgres ? 'current_user::text' : 'current_user()'})`,
    ),
  ];
  return `insert into ${q(table.auditTable)} (${columns.map(q).join(', ')}) values (${values.join(', ')});`;
}
