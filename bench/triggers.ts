// Hand-written triggers that write the same audit rows as the library (same table shape, same columns,
// the actor read from a transaction-local setting), the anchor the library is measured against.
import type { EntityManager } from '@mikro-orm/core';
import type { Dialect } from '../src/sql/Dialect.js';
import { BENCH_COLUMNS } from './entities.js';

export type TriggerKind = 'row' | 'statement';

const cols = BENCH_COLUMNS.join(', ');

/**
 * Creates `<table>_audit` with the library audit table's exact shape, and triggers on `<table>` filling it.
 * Each trigger kind gets its own table (`bench_trigger` for row triggers, `bench_statement` for statement ones).
 */
export async function installTriggers(em: EntityManager, dialect: Dialect, kind: TriggerKind, table: string): Promise<void> {
  const run = (sql: string) => em.getConnection().execute(sql);
  const audit = `${table}_audit`;
  await run(`drop table if exists ${audit}`);
  const like = await likeLibraryAudit(em, dialect, audit);
  for (const sql of createStatements(dialect, kind, table, audit, like)) {
    await run(sql);
  }
}

async function likeLibraryAudit(em: EntityManager, dialect: Dialect, audit: string): Promise<string> {
  switch (dialect) {
    case 'postgresql':
      return `create table ${audit} (like bench_library_audit including all)`;
    case 'mysql':
      return `create table ${audit} like bench_library_audit`;
    case 'sqlite': {
      const rows = (await em.getConnection().execute(`select sql from sqlite_master where name = 'bench_library_audit'`)) as { sql: string }[];
      return rows[0]!.sql.replace('bench_library_audit', audit);
    }
  }
}

function createStatements(dialect: Dialect, kind: TriggerKind, table: string, audit: string, createAudit: string): string[] {
  const values = (ref: string, type: string, actor: string) =>
    `${BENCH_COLUMNS.map(c => `${ref}.${c}`).join(', ')}, ${actor}, '${type}'`;
  const target = `${audit} (${cols}, username, _audit_change_type, _audit_timestamp)`;
  const fn = `${table}_audit_fn`;
  switch (dialect) {
    case 'postgresql': {
      const actor = `current_setting('audit.user', true)`;
      if (kind === 'row') {
        return [
          createAudit,
          `create or replace function ${fn}() returns trigger language plpgsql as $$
           begin
             if tg_op = 'DELETE' then
               insert into ${target} values (${values('old', 'D', actor)}, now());
               return old;
             end if;
             insert into ${target} values (${values('new', `' || left(tg_op, 1) || '`, actor)}, now());
             return new;
           end $$`,
          `create trigger ${table}_iu after insert or update on ${table} for each row execute function ${fn}()`,
          `create trigger ${table}_d before delete on ${table} for each row execute function ${fn}()`,
        ];
      }
      return [
        createAudit,
        `create or replace function ${fn}() returns trigger language plpgsql as $$
         begin
           if tg_op = 'DELETE' then
             insert into ${target} select ${values('o', 'D', actor)}, now() from old_rows o;
           else
             insert into ${target} select ${values('n', `' || left(tg_op, 1) || '`, actor)}, now() from new_rows n;
           end if;
           return null;
         end $$`,
        `create trigger ${table}_i after insert on ${table} referencing new table as new_rows for each statement execute function ${fn}()`,
        `create trigger ${table}_u after update on ${table} referencing new table as new_rows for each statement execute function ${fn}()`,
        `create trigger ${table}_d after delete on ${table} referencing old table as old_rows for each statement execute function ${fn}()`,
      ];
    }
    case 'mysql': {
      const actor = '@audit_user';
      return [
        createAudit,
        `create trigger ${table}_i after insert on ${table} for each row insert into ${target} values (${values('new', 'I', actor)}, now(3))`,
        `create trigger ${table}_u after update on ${table} for each row insert into ${target} values (${values('new', 'U', actor)}, now(3))`,
        `create trigger ${table}_d before delete on ${table} for each row insert into ${target} values (${values('old', 'D', actor)}, now(3))`,
      ];
    }
    case 'sqlite': {
      const now = `cast((julianday('now') - 2440587.5) * 86400000 as integer)`;
      return [
        createAudit,
        `create trigger ${table}_i after insert on ${table} begin insert into ${target} values (${values('new', 'I', 'null')}, ${now}); end`,
        `create trigger ${table}_u after update on ${table} begin insert into ${target} values (${values('new', 'U', 'null')}, ${now}); end`,
        `create trigger ${table}_d before delete on ${table} begin insert into ${target} values (${values('old', 'D', 'null')}, ${now}); end`,
      ];
    }
  }
}
