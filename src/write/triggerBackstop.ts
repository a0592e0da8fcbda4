import type { EntityManager, Transaction } from '@mikro-orm/core';
import { AUDIT_CHANGE_TYPE, AUDIT_REASON, AUDIT_TIMESTAMP, AUDIT_TRANSACTION } from '../define/AuditColumns.js';
import type { AuditPlan } from '../discover/AuditPlan.js';
import type { AuditContextData } from '../context/AuditContext.js';
import { AUDIT_SQL_MARKER } from './AuditWriteGuard.js';
import { dialectOf } from '../sql/Dialect.js';

/** The module option: database triggers that record writes the application did not. */
export interface TriggerBackstopOptions {
  /** The track field that receives the actor: the application's (`auditContext` user), else the database user. */
  actorField?: string;
}

/** The statements that install (`up`) and remove (`down`) the backstop triggers of one audited table. */
export interface BackstopStatements {
  readonly up: string[];
  readonly down: string[];
}

const SETTING = 'mikro_orm_audit';

/**
 * Row triggers on the source table that write the audit row of every insert, update and delete the application
 * layer did not record itself (raw SQL, other applications, manual fixes): the library marks the statements it
 * records with a transaction-local setting (PostgreSQL) or session variable (MySQL/MariaDB), which the triggers
 * skip. Masked columns and track fields other than the actor stay NULL in trigger rows: their values are computed
 * in the application.
 */
export function backstopStatements(plan: AuditPlan, options: TriggerBackstopOptions): BackstopStatements {
  const { up, down } = backstopSql(plan, options);
  // The trigger bodies insert into the audit table: marked as the library's own, the write guard lets them pass.
  const marked = (sql: string) => `${sql.replace(/;\s*$/, '')} ${AUDIT_SQL_MARKER}`;
  return { up: up.map(marked), down: down.map(marked) };
}

function backstopSql(plan: AuditPlan, options: TriggerBackstopOptions): BackstopStatements {
  const { quote: q, sourceTable } = plan.shape;
  const { insert } = backstopInsert(plan, options);
  const name = backstopName(plan);
  if (plan.shape.dialect === 'postgresql') {
    const fn = q(`${name}_fn`);
    const events = postgresEvents(plan).join(' or ');
    return {
      up: [
        `create or replace function ${fn}() returns trigger language plpgsql as $$ begin ${postgresBody(plan, options)} end $$;`,
        `drop trigger if exists ${q(name)} on ${q(sourceTable)};`,
        `create trigger ${q(name)} after ${events} on ${q(sourceTable)} for each row execute function ${fn}();`,
      ],
      down: [`drop trigger if exists ${q(name)} on ${q(sourceTable)};`, `drop function if exists ${fn}();`],
    };
  }
  const operations = [
    ['insert', 'new', "'I'"],
    ['update', 'new', "'U'"],
    ...(plan.options.auditDeletes ? [['delete', 'old', "'D'"] as const] : []),
  ] as const;
  const up: string[] = [];
  const down: string[] = [];
  for (const [operation, row, changeType] of operations) {
    const trigger = q(`${name}_${operation}`);
    down.push(`drop trigger if exists ${trigger};`);
    up.push(
      `drop trigger if exists ${trigger};`,
      `create trigger ${trigger} after ${operation} on ${q(sourceTable)} for each row
if coalesce(@${SETTING}_recorded, 0) = 0 then
  ${insert(row, changeType)}
end if;`,
    );
  }
  return { up, down };
}

/** A MikroORM 7 trigger definition (`EntityMetadata.triggers`): its schema diff then creates and keeps the trigger. */
export interface TriggerDefinition {
  name: string;
  timing: 'after';
  events: ('insert' | 'update' | 'delete')[];
  forEach: 'row';
  body: string;
}

/** The backstop as trigger definitions of the source entity, for MikroORM 7's schema diff and migrations. */
export function backstopTriggerDefinitions(plan: AuditPlan, options: TriggerBackstopOptions): TriggerDefinition[] {
  // PostgreSQL only: MikroORM 7 with MySQL/MariaDB is refused at startup (its diff re-creates those triggers).
  return plan.shape.dialect === 'postgresql'
    ? [{ name: backstopName(plan), timing: 'after', events: postgresEvents(plan), forEach: 'row', body: postgresBody(plan, options) }]
    : [];
}

function backstopName(plan: AuditPlan): string {
  return `${plan.shape.auditTable.split('.').pop()}_backstop`;
}

function postgresEvents(plan: AuditPlan): ('insert' | 'update' | 'delete')[] {
  return plan.options.auditDeletes ? ['insert', 'update', 'delete'] : ['insert', 'update'];
}

// The PL/pgSQL statements of the trigger function: skip what the library records, else insert the audit row.
function postgresBody(plan: AuditPlan, options: TriggerBackstopOptions): string {
  const { insert } = backstopInsert(plan, options);
  return (
    `if coalesce(current_setting('${SETTING}.recorded', true), '') = 'on' then return null; end if; ` +
    (plan.options.auditDeletes ? `if tg_op = 'DELETE' then ${insert('old', "'D'")} return null; end if; ` : '') +
    `${insert('new', "case when tg_op = 'INSERT' then 'I' else 'U' end")} return null;`
  );
}

// The INSERT a trigger runs: the audit columns it fills, with their values from a row (`new`/`old`) of the source.
function backstopInsert(plan: AuditPlan, options: TriggerBackstopOptions): { insert: (row: string, changeType: string) => string } {
  const { quote: q, copiedColumns, dialect } = plan.shape;
  const actor = options.actorField ? plan.trackFields.find(track => track.field.name === options.actorField)?.prop.fieldNames[0] : undefined;
  const columns = [...copiedColumns, AUDIT_TIMESTAMP, AUDIT_TRANSACTION, AUDIT_REASON, ...(plan.options.saveChangeType ? [AUDIT_CHANGE_TYPE] : []), ...(actor ? [actor] : [])];
  const postgres = dialect === 'postgresql';
  const values = (row: string, changeType: string) => [
    ...copiedColumns.map(column => `${row}.${q(column)}`),
    postgres ? 'now()' : 'now(3)',
    postgres ? 'txid_current()::text' : 'null',
    postgres ? `nullif(current_setting('${SETTING}.reason', true), '')` : `@${SETTING}_reason`,
    ...(plan.options.saveChangeType ? [changeType] : []),
    ...(actor ? [postgres ? `coalesce(nullif(current_setting('${SETTING}.actor', true), ''), current_user::text)` : `coalesce(@${SETTING}_actor, current_user())`] : []),
  ];
  const target = `${q(plan.shape.auditTable)} (${columns.map(q).join(', ')})`;
  return { insert: (row, changeType) => `insert into ${target} values (${values(row, changeType).join(', ')});` };
}

/**
 * Tells the backstop triggers that the statements about to run on `transaction` are recorded by the library
 * (`recorded` true), or no longer (false), and who makes them and why.
 */
export async function markRecorded(em: EntityManager, transaction: unknown, recorded: boolean, context: AuditContextData | undefined): Promise<void> {
  const connection = em.getConnection('write');
  const actor = context?.user === undefined || context.user === null ? null : String(context.user);
  const reason = context?.reason ?? null;
  if (dialectOf(em.getPlatform()) === 'postgresql') {
    await connection.execute(
      `select set_config('${SETTING}.recorded', ?, true), set_config('${SETTING}.actor', coalesce(?, ''), true), set_config('${SETTING}.reason', coalesce(?, ''), true) ${AUDIT_SQL_MARKER}`,
      [recorded ? 'on' : 'off', actor, reason],
      'all',
      transaction as Transaction,
    );
  } else {
    // Session variables outlive the transaction on a pooled connection: cleared with the flag, so that a later
    // write on the same connection is not attributed to this context.
    await connection.execute(
      `set @${SETTING}_recorded = ?, @${SETTING}_actor = ?, @${SETTING}_reason = ? ${AUDIT_SQL_MARKER}`,
      recorded ? [1, actor, reason] : [0, null, null],
      'run',
      transaction as Transaction,
    );
  }
}
