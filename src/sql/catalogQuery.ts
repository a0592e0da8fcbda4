import type { Dialect } from './Dialect.js';
import { SqlArray, type SqlStatement } from './SqlStatement.js';

/** A table the catalog query looks for; its columns, unique indexes and foreign keys are read when `details`. */
export interface CatalogTable {
  readonly schema?: string;
  readonly name: string;
  readonly details: boolean;
}

/** What one row of the catalog query describes: `data` holds its fields as JSON. */
export type CatalogRowKind = 'table' | 'column' | 'index' | 'fk' | 'check' | 'enum';

/**
 * One statement that reads what the startup check needs about the given tables from the database's catalog: which
 * exist, and for the detailed ones their columns (with the fields MikroORM's schema reader reads, under its names),
 * indexes and primary keys, foreign keys, and on PostgreSQL the check constraints and native enums that
 * make a column an enum. Rows are
 * `(kind, data, ord)`, `data` a JSON object. MikroORM's own reader sends 7 to 9 statements (about 8 per table on
 * SQLite) and goes through PostgreSQL's slow `information_schema` views; this reads the system catalogs directly.
 */
export function buildCatalogQuery(dialect: Dialect, tables: readonly CatalogTable[], defaultSchema: string | undefined): SqlStatement {
  if (dialect === 'postgresql') {
    return postgresCatalog(tables, defaultSchema ?? 'public');
  }
  return dialect === 'mysql' ? mysqlCatalog(tables) : sqliteCatalog(tables);
}

// information_schema.columns for the requested tables only, computed as PostgreSQL's view computes it (the bodies of
// its `_pg_char_max_length`, `_pg_numeric_precision`, ... functions inlined on the column's true type and modifier):
// MikroORM's query through the view took 50-110 ms on a new connection in bench/startup.ts.
function postgresCatalog(tables: readonly CatalogTable[], defaultSchema: string): SqlStatement {
  return {
    sql: `${POSTGRES_ATTRIBUTES}${POSTGRES_TABLES_AND_COLUMNS}${POSTGRES_KEYS_AND_ENUMS}`,
    params: [new SqlArray(tables.map(t => t.schema ?? defaultSchema)), new SqlArray(tables.map(t => t.name)), new SqlArray(tables.map(t => t.details))],
  };
}

// The requested tables that exist, and their columns' catalog entries with their true (domain base) type.
const POSTGRES_ATTRIBUTES = `with requested as (
  select * from unnest(cast(? as text[]), cast(? as text[]), cast(? as boolean[])) as r(schema_name, table_name, details)
), found as (
  select c.oid, n.nspname as schema_name, c.relname as table_name, r.details, pg_catalog.pg_has_role(c.relowner, 'USAGE') as owned
  from requested r join pg_catalog.pg_namespace n on n.nspname = r.schema_name
  join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relname = r.table_name and c.relkind in ('r', 'p')
), attributes as (
  select t.oid, t.schema_name, t.table_name, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull, a.attidentity, a.attgenerated,
    ty.typtype, ty.typnotnull, ty.typelem, ty.typlen, ty.typname, ty.typbasetype,
    (select nspname from pg_catalog.pg_namespace where oid = ty.typnamespace) as typschema,
    bt.typname as basename, bt.typelem as baseelem, bt.typlen as baselen,
    (select nspname from pg_catalog.pg_namespace where oid = bt.typnamespace) as baseschema,
    case when ty.typtype = 'd' then ty.typbasetype else a.atttypid end as tid,
    case when ty.typtype = 'd' then ty.typtypmod else a.atttypmod end as tmod,
    (select pg_catalog.pg_get_expr(adbin, adrelid) from pg_catalog.pg_attrdef where adrelid = a.attrelid and adnum = a.attnum) as expr,
    (select description from pg_catalog.pg_description where objoid = t.oid and classoid = 'pg_catalog.pg_class'::regclass and objsubid = a.attnum) as description,
    (select collname from pg_catalog.pg_collation where oid = a.attcollation and collname <> 'default') as collname
  from found t join pg_catalog.pg_attribute a on a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped
  join pg_catalog.pg_type ty on ty.oid = a.atttypid
  left join pg_catalog.pg_type bt on ty.typtype = 'd' and bt.oid = ty.typbasetype
  where t.details and (t.owned or pg_catalog.has_column_privilege(t.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES'))
)
`;

const POSTGRES_TABLES_AND_COLUMNS = `select 'table' as kind, json_build_object('schema_name', schema_name, 'table_name', table_name) as data, 0 as ord from found
union all select 'column', json_build_object('schema_name', schema_name, 'table_name', table_name, 'column_name', attname,
    'column_default', case when attgenerated = '' then expr end,
    'is_nullable', case when attnotnull or (typtype = 'd' and typnotnull) then 'NO' else 'YES' end,
    'udt_name', coalesce(basename, typname), 'udt_schema', coalesce(baseschema, typschema),
    'format_type', pg_catalog.format_type(atttypid, atttypmod),
    'length', case when tid = 1082 then 0
      when tid in (1083, 1114, 1184, 1266) then case when tmod < 0 then 6 else tmod end
      when tid = 1186 then case when tmod < 0 or tmod & 65535 = 65535 then 6 else tmod & 65535 end
      when tmod = -1 then null when tid in (1042, 1043) then tmod - 4 when tid in (1560, 1562) then tmod end,
    'custom_length', atttypmod,
    'numeric_precision', case tid when 21 then 16 when 23 then 32 when 20 then 64
      when 1700 then case when tmod = -1 then null else ((tmod - 4) >> 16) & 65535 end when 700 then 24 when 701 then 53 end,
    'numeric_scale', case when tid in (21, 23, 20) then 0 when tid = 1700 then case when tmod = -1 then null else (tmod - 4) & 65535 end end,
    'data_type', case when typtype = 'd' then
        case when baseelem <> 0 and baselen = -1 then 'ARRAY' when baseschema = 'pg_catalog' then pg_catalog.format_type(typbasetype, null) else 'USER-DEFINED' end
      else case when typelem <> 0 and typlen = -1 then 'ARRAY' when typschema = 'pg_catalog' then pg_catalog.format_type(atttypid, null) else 'USER-DEFINED' end end,
    'is_identity', case when attidentity in ('a', 'd') then 'YES' else 'NO' end,
    'identity_generation', case attidentity when 'a' then 'ALWAYS' when 'd' then 'BY DEFAULT' end,
    'generation_expression', case when attgenerated <> '' then expr end,
    'column_comment', description, 'collation_name', collname), attnum
  from attributes
`;

const POSTGRES_KEYS_AND_ENUMS = `union all select 'index', json_build_object('schema_name', t.schema_name, 'table_name', t.table_name, 'key_name', ic.relname,
    'unique', i.indisunique, 'primary', i.indisprimary,
    'constraint', exists (select 1 from pg_catalog.pg_constraint k where k.conindid = i.indexrelid and k.contype = 'u'),
    'columns', array(select case when i.indkey[k] <> 0 then (select attname from pg_catalog.pg_attribute where attrelid = i.indrelid and attnum = i.indkey[k])
      else pg_catalog.pg_get_indexdef(i.indexrelid, k + 1, true) end from generate_subscripts(i.indkey, 1) as k order by k)), 0
  from found t join pg_catalog.pg_index i on i.indrelid = t.oid join pg_catalog.pg_class ic on ic.oid = i.indexrelid
  where t.details
union all select 'fk', json_build_object('schema_name', t.schema_name, 'table_name', t.table_name, 'constraint_name', k.conname,
    'columns', (select json_agg(a.attname order by c.n) from unnest(k.conkey) with ordinality as c(attnum, n)
      join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = c.attnum)), 0
  from found t join pg_catalog.pg_constraint k on k.conrelid = t.oid and k.contype = 'f'
  where t.details
union all select 'check', json_build_object('schema_name', t.schema_name, 'table_name', t.table_name, 'name', k.conname,
    'column_name', a.attname, 'expression', pg_catalog.pg_get_constraintdef(k.oid)), c.n
  from found t join pg_catalog.pg_constraint k on k.conrelid = t.oid and k.contype = 'c'
  cross join lateral unnest(k.conkey) with ordinality as c(attnum, n) join pg_catalog.pg_attribute a on a.attrelid = t.oid and a.attnum = c.attnum
  where t.details
union all select 'enum', json_build_object('enum_name', ty.typname, 'schema_name', n.nspname,
    'enum_value', (select json_agg(e.enumlabel order by e.enumsortorder) from pg_catalog.pg_enum e where e.enumtypid = ty.oid)), 0
  from pg_catalog.pg_type ty join pg_catalog.pg_namespace n on n.oid = ty.typnamespace
  where ty.typtype = 'e' and ty.oid in (select tid from attributes union select el.typelem from attributes c join pg_catalog.pg_type el on el.oid = c.tid)
order by 1, 3`;

// The fields of MikroORM's own reader (MySqlSchemaHelper.getAllColumns, 6 and 7), for the current database.
function mysqlCatalog(tables: readonly CatalogTable[]): SqlStatement {
  const all = tables.map(t => t.name);
  const detailed = tables.filter(t => t.details).map(t => t.name);
  const list = (names: readonly string[]) => (names.length > 0 ? names.map(() => '?').join(', ') : 'null');
  const sql = `select 'table' as kind, json_object('table_name', t.table_name) as data, 0 as ord
  from information_schema.tables t where t.table_schema = database() and t.table_type = 'BASE TABLE' and t.table_name in (${list(all)})
union all select 'column', json_object('table_name', c.table_name, 'schema_name', nullif(c.table_schema, schema()), 'column_name', c.column_name,
    'column_default', c.column_default, 'column_comment', nullif(c.column_comment, ''), 'is_nullable', c.is_nullable,
    'data_type', c.data_type, 'column_type', c.column_type, 'column_key', c.column_key, 'extra', c.extra,
    'generation_expression', c.generation_expression, 'numeric_precision', c.numeric_precision, 'numeric_scale', c.numeric_scale,
    'length', ifnull(c.datetime_precision, c.character_maximum_length), 'collation_name', nullif(c.collation_name, t.table_collation)), c.ordinal_position
  from information_schema.columns c join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
  where c.table_schema = database() and c.table_name in (${list(detailed)})
union all select 'index', json_object('table_name', s.table_name, 'key_name', s.index_name, 'unique', s.non_unique = 0, 'column_name', s.column_name), s.seq_in_index
  from information_schema.statistics s where s.table_schema = database() and s.table_name in (${list(detailed)})
union all select 'fk', json_object('table_name', k.table_name, 'constraint_name', k.constraint_name, 'column_name', k.column_name), k.ordinal_position
  from information_schema.key_column_usage k
  where k.table_schema = database() and k.referenced_table_name is not null and k.table_name in (${list(detailed)})
order by 1, 3`;
  return { sql, params: [...all, ...detailed, ...detailed, ...detailed] };
}

// The rows of the pragmas MikroORM's own reader sends one table at a time, for every requested table at once.
function sqliteCatalog(tables: readonly CatalogTable[]): SqlStatement {
  const all = tables.map(t => t.name);
  const detailed = tables.filter(t => t.details).map(t => t.name);
  const list = (names: readonly string[]) => (names.length > 0 ? names.map(() => '?').join(', ') : 'null');
  const sql = `select 'table' as kind, json_object('table_name', m.name, 'sql', m.sql) as data, 0 as ord
  from sqlite_master m where m.type = 'table' and m.name in (${list(all)})
union all select 'column', json_object('table_name', m.name, 'cid', p.cid, 'name', p.name, 'type', p.type, 'notnull', p."notnull",
    'dflt_value', p.dflt_value, 'pk', p.pk, 'hidden', p.hidden), p.cid
  from sqlite_master m join pragma_table_xinfo(m.name) p where m.type = 'table' and m.name in (${list(detailed)})
union all select 'index', json_object('table_name', m.name, 'key_name', l.name, 'unique', l."unique", 'primary', l.origin = 'pk', 'column_name', i.name), i.seqno
  from sqlite_master m join pragma_index_list(m.name) l join pragma_index_info(l.name) i
  where m.type = 'table' and m.name in (${list(detailed)})
union all select 'fk', json_object('table_name', m.name, 'id', f.id, 'column_name', f."from", 'referenced_table', f."table"), f.seq
  from sqlite_master m join pragma_foreign_key_list(m.name) f where m.type = 'table' and m.name in (${list(detailed)})
order by 1, 3`;
  return { sql, params: [...all, ...detailed, ...detailed, ...detailed] };
}
