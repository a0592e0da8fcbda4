-- Spike (issue 14, write cost): could PostgreSQL compute a batch's chained hashes inside the audit INSERT itself,
-- with no pre-read and no hashing in the process? A recursive CTE over the batch, the canonical encoding built by
-- to_json(), sha256() per row. Compares it with the plain audit INSERT … SELECT of the same 10,000 rows.
-- Run: psql -h 127.0.0.1 -U postgres -c 'create database spike' && psql -h 127.0.0.1 -U postgres -d spike -f bench/spikes/chain-in-insert-postgresql.sql
-- Figures and what they mean: BENCHMARKS.md, "Tamper evidence and verify", "Write cost".
create table src (id int primary key, a text, b text, c int, d timestamptz, e numeric(10,2), f text, g text, h int, i text);
insert into src select g, 'name ' || g, 'mail' || g || '@x', g, now(), g * 1.5, repeat('x', 30), null, g % 7, 'q"\' || g from generate_series(1,10000) g;
create table aud (_audit_id serial primary key, id int, a text, b text, c int, d timestamptz, e numeric(10,2), f text, g text, h int, i text, _audit_timestamp timestamptz, _audit_change_type char(1), _audit_transaction text, _audit_hash text);
create index on aud (_audit_transaction, _audit_id);
\timing on
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction) select s.id,s.a,s.b,s.c,s.d,s.e,s.f,s.g,s.h,s.i, now(), 'U', 'tx1' from unnest(array(select generate_series(1,10000))) with ordinality as k(id, o) join src s on s.id = k.id order by k.o;
-- The chain computed in the INSERT (one transaction id per run).
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction,_audit_hash)
with recursive rows as materialized (
  select row_number() over (order by k.o) - 1 as n, s.*, now() as ts,
    '[' || concat_ws(',', '["_audit_change_type",' || to_json('U'::text)::text || ']', '["_audit_timestamp",' || to_json(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))::text || ']', '["_audit_transaction",' || to_json('t0'::text)::text || ']',
      '["a",' || to_json(s.a::text)::text || ']', '["b",' || to_json(s.b::text)::text || ']', '["c",' || to_json(s.c::text)::text || ']', '["d",' || to_json(to_char(s.d at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))::text || ']', '["e",' || to_json(s.e::text)::text || ']', '["f",' || to_json(s.f::text)::text || ']', '["g",' || to_json(s.g::text)::text || ']', '["h",' || to_json(s.h::text)::text || ']', '["i",' || to_json(s.i::text)::text || ']', '["id",' || to_json(s.id::text)::text || ']') || ']' as enc
  from unnest(array(select generate_series(1,10000))) with ordinality as k(id, o) join src s on s.id = k.id
), chain as (
  select n, encode(sha256(convert_to(coalesce((select _audit_hash from aud where _audit_transaction = 't0' and _audit_hash is not null order by _audit_id desc limit 1), 'genesis') || E'\n' || enc, 'UTF8')), 'hex') as hash from rows where n = 0
  union all
  select r.n, encode(sha256(convert_to(c.hash || E'\n' || r.enc, 'UTF8')), 'hex') from chain c join rows r on r.n = c.n + 1
)
select r.id,r.a,r.b,r.c,r.d,r.e,r.f,r.g,r.h,r.i,r.ts,'U','t0',c.hash from rows r join chain c on c.n = r.n order by r.n;
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction) select s.id,s.a,s.b,s.c,s.d,s.e,s.f,s.g,s.h,s.i, now(), 'U', 'tx1' from unnest(array(select generate_series(1,10000))) with ordinality as k(id, o) join src s on s.id = k.id order by k.o;
-- The chain computed in the INSERT (one transaction id per run).
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction,_audit_hash)
with recursive rows as materialized (
  select row_number() over (order by k.o) - 1 as n, s.*, now() as ts,
    '[' || concat_ws(',', '["_audit_change_type",' || to_json('U'::text)::text || ']', '["_audit_timestamp",' || to_json(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))::text || ']', '["_audit_transaction",' || to_json('t1'::text)::text || ']',
      '["a",' || to_json(s.a::text)::text || ']', '["b",' || to_json(s.b::text)::text || ']', '["c",' || to_json(s.c::text)::text || ']', '["d",' || to_json(to_char(s.d at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))::text || ']', '["e",' || to_json(s.e::text)::text || ']', '["f",' || to_json(s.f::text)::text || ']', '["g",' || to_json(s.g::text)::text || ']', '["h",' || to_json(s.h::text)::text || ']', '["i",' || to_json(s.i::text)::text || ']', '["id",' || to_json(s.id::text)::text || ']') || ']' as enc
  from unnest(array(select generate_series(1,10000))) with ordinality as k(id, o) join src s on s.id = k.id
), chain as (
  select n, encode(sha256(convert_to(coalesce((select _audit_hash from aud where _audit_transaction = 't1' and _audit_hash is not null order by _audit_id desc limit 1), 'genesis') || E'\n' || enc, 'UTF8')), 'hex') as hash from rows where n = 0
  union all
  select r.n, encode(sha256(convert_to(c.hash || E'\n' || r.enc, 'UTF8')), 'hex') from chain c join rows r on r.n = c.n + 1
)
select r.id,r.a,r.b,r.c,r.d,r.e,r.f,r.g,r.h,r.i,r.ts,'U','t1',c.hash from rows r join chain c on c.n = r.n order by r.n;
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction) select s.id,s.a,s.b,s.c,s.d,s.e,s.f,s.g,s.h,s.i, now(), 'U', 'tx1' from unnest(array(select generate_series(1,10000))) with ordinality as k(id, o) join src s on s.id = k.id order by k.o;
-- The chain computed in the INSERT (one transaction id per run).
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction,_audit_hash)
with recursive rows as materialized (
  select row_number() over (order by k.o) - 1 as n, s.*, now() as ts,
    '[' || concat_ws(',', '["_audit_change_type",' || to_json('U'::text)::text || ']', '["_audit_timestamp",' || to_json(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))::text || ']', '["_audit_transaction",' || to_json('t2'::text)::text || ']',
      '["a",' || to_json(s.a::text)::text || ']', '["b",' || to_json(s.b::text)::text || ']', '["c",' || to_json(s.c::text)::text || ']', '["d",' || to_json(to_char(s.d at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))::text || ']', '["e",' || to_json(s.e::text)::text || ']', '["f",' || to_json(s.f::text)::text || ']', '["g",' || to_json(s.g::text)::text || ']', '["h",' || to_json(s.h::text)::text || ']', '["i",' || to_json(s.i::text)::text || ']', '["id",' || to_json(s.id::text)::text || ']') || ']' as enc
  from unnest(array(select generate_series(1,10000))) with ordinality as k(id, o) join src s on s.id = k.id
), chain as (
  select n, encode(sha256(convert_to(coalesce((select _audit_hash from aud where _audit_transaction = 't2' and _audit_hash is not null order by _audit_id desc limit 1), 'genesis') || E'\n' || enc, 'UTF8')), 'hex') as hash from rows where n = 0
  union all
  select r.n, encode(sha256(convert_to(c.hash || E'\n' || r.enc, 'UTF8')), 'hex') from chain c join rows r on r.n = c.n + 1
)
select r.id,r.a,r.b,r.c,r.d,r.e,r.f,r.g,r.h,r.i,r.ts,'U','t2',c.hash from rows r join chain c on c.n = r.n order by r.n;
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction) select s.id,s.a,s.b,s.c,s.d,s.e,s.f,s.g,s.h,s.i, now(), 'U', 'tx1' from unnest(array(select generate_series(1,10000))) with ordinality as k(id, o) join src s on s.id = k.id order by k.o;
-- The chain computed in the INSERT (one transaction id per run).
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction,_audit_hash)
with recursive rows as materialized (
  select row_number() over (order by k.o) - 1 as n, s.*, now() as ts,
    '[' || concat_ws(',', '["_audit_change_type",' || to_json('U'::text)::text || ']', '["_audit_timestamp",' || to_json(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))::text || ']', '["_audit_transaction",' || to_json('t3'::text)::text || ']',
      '["a",' || to_json(s.a::text)::text || ']', '["b",' || to_json(s.b::text)::text || ']', '["c",' || to_json(s.c::text)::text || ']', '["d",' || to_json(to_char(s.d at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))::text || ']', '["e",' || to_json(s.e::text)::text || ']', '["f",' || to_json(s.f::text)::text || ']', '["g",' || to_json(s.g::text)::text || ']', '["h",' || to_json(s.h::text)::text || ']', '["i",' || to_json(s.i::text)::text || ']', '["id",' || to_json(s.id::text)::text || ']') || ']' as enc
  from unnest(array(select generate_series(1,10000))) with ordinality as k(id, o) join src s on s.id = k.id
), chain as (
  select n, encode(sha256(convert_to(coalesce((select _audit_hash from aud where _audit_transaction = 't3' and _audit_hash is not null order by _audit_id desc limit 1), 'genesis') || E'\n' || enc, 'UTF8')), 'hex') as hash from rows where n = 0
  union all
  select r.n, encode(sha256(convert_to(c.hash || E'\n' || r.enc, 'UTF8')), 'hex') from chain c join rows r on r.n = c.n + 1
)
select r.id,r.a,r.b,r.c,r.d,r.e,r.f,r.g,r.h,r.i,r.ts,'U','t3',c.hash from rows r join chain c on c.n = r.n order by r.n;
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction) select s.id,s.a,s.b,s.c,s.d,s.e,s.f,s.g,s.h,s.i, now(), 'U', 'tx1' from unnest(array(select generate_series(1,10000))) with ordinality as k(id, o) join src s on s.id = k.id order by k.o;
-- The chain computed in the INSERT (one transaction id per run).
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction,_audit_hash)
with recursive rows as materialized (
  select row_number() over (order by k.o) - 1 as n, s.*, now() as ts,
    '[' || concat_ws(',', '["_audit_change_type",' || to_json('U'::text)::text || ']', '["_audit_timestamp",' || to_json(to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))::text || ']', '["_audit_transaction",' || to_json('t4'::text)::text || ']',
      '["a",' || to_json(s.a::text)::text || ']', '["b",' || to_json(s.b::text)::text || ']', '["c",' || to_json(s.c::text)::text || ']', '["d",' || to_json(to_char(s.d at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'))::text || ']', '["e",' || to_json(s.e::text)::text || ']', '["f",' || to_json(s.f::text)::text || ']', '["g",' || to_json(s.g::text)::text || ']', '["h",' || to_json(s.h::text)::text || ']', '["i",' || to_json(s.i::text)::text || ']', '["id",' || to_json(s.id::text)::text || ']') || ']' as enc
  from unnest(array(select generate_series(1,10000))) with ordinality as k(id, o) join src s on s.id = k.id
), chain as (
  select n, encode(sha256(convert_to(coalesce((select _audit_hash from aud where _audit_transaction = 't4' and _audit_hash is not null order by _audit_id desc limit 1), 'genesis') || E'\n' || enc, 'UTF8')), 'hex') as hash from rows where n = 0
  union all
  select r.n, encode(sha256(convert_to(c.hash || E'\n' || r.enc, 'UTF8')), 'hex') from chain c join rows r on r.n = c.n + 1
)
select r.id,r.a,r.b,r.c,r.d,r.e,r.f,r.g,r.h,r.i,r.ts,'U','t4',c.hash from rows r join chain c on c.n = r.n order by r.n;
