-- Spike (issue 14, write cost): the same as chain-in-insert-postgresql.sql on MariaDB 10.11: a recursive CTE over
-- the batch (JSON_TABLE rows, JSON_QUOTE encoding, SHA2 per row) inside the audit INSERT, against the plain
-- INSERT … SELECT. MariaDB evaluates the batch's CTE again at each step of the recursion: expect minutes.
-- Run: mysql -h 127.0.0.1 -u root < bench/spikes/chain-in-insert-mariadb.sql   (creates and drops database spike)
-- Figures and what they mean: BENCHMARKS.md, "Tamper evidence and verify", "Write cost".
drop database if exists spike; create database spike; use spike; set max_recursive_iterations = 100000;
create table src (id int primary key, a text, b text, c int, d datetime(6), e decimal(10,2), f text, g text, h int, i text);
insert into src with recursive s(g) as (select 1 union all select g + 1 from s where g < 10000) select g, concat('name ', g), concat('mail', g, '@x'), g, now(6), g * 1.5, repeat('x', 30), null, g % 7, concat('q"\\', g) from s;
create table aud (_audit_id int auto_increment primary key, id int, a text, b text, c int, d datetime(6), e decimal(10,2), f text, g text, h int, i text, _audit_timestamp datetime(6), _audit_change_type char(1), _audit_transaction varchar(64), _audit_hash varchar(64), index (_audit_transaction, _audit_id));
set profiling = 1;
set @doc = (with recursive s(g) as (select 1 union all select g + 1 from s where g < 10000) select json_arrayagg(g) from s);
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction) select s.id,s.a,s.b,s.c,s.d,s.e,s.f,s.g,s.h,s.i, now(6), 'U', 'tx1' from json_table(@doc, '$[*]' columns (o for ordinality, id int path '$')) as k straight_join src as s force index (primary) on s.id = k.id order by k.o;
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction) select s.id,s.a,s.b,s.c,s.d,s.e,s.f,s.g,s.h,s.i, now(6), 'U', 'tx1' from json_table(@doc, '$[*]' columns (o for ordinality, id int path '$')) as k straight_join src as s force index (primary) on s.id = k.id order by k.o;
insert into aud (id,a,b,c,d,e,f,g,h,i,_audit_timestamp,_audit_change_type,_audit_transaction,_audit_hash)
with recursive r as (
  select k.o - 1 as n, s.*, now(6) as ts,
    concat('[', concat_ws(',', concat('["_audit_change_type",', json_quote('U'), ']'), concat('["_audit_timestamp",', json_quote(date_format(now(6), '%Y-%m-%dT%H:%i:%s.%f')), ']'), concat('["_audit_transaction",', json_quote('tx2'), ']'),
      concat('["a",', json_quote(s.a), ']'), concat('["b",', json_quote(s.b), ']'), concat('["c",', json_quote(cast(s.c as char)), ']'), concat('["d",', json_quote(date_format(s.d, '%Y-%m-%dT%H:%i:%s.%f')), ']'), concat('["e",', json_quote(cast(s.e as char)), ']'), concat('["f",', json_quote(s.f), ']'), concat('["g",', json_quote(s.g), ']'), concat('["h",', json_quote(cast(s.h as char)), ']'), concat('["i",', json_quote(s.i), ']'), concat('["id",', json_quote(cast(s.id as char)), ']')), ']') as enc
  from json_table(@doc, '$[*]' columns (o for ordinality, id int path '$')) as k straight_join src as s force index (primary) on s.id = k.id
), chain (n, hash) as (
  select n, sha2(concat(coalesce((select _audit_hash from aud where _audit_transaction = 'tx2' and _audit_hash is not null order by _audit_id desc limit 1), 'genesis'), '\n', enc), 256) from r where n = 0
  union all
  select r.n, sha2(concat(c.hash, '\n', r.enc), 256) from chain c join r on r.n = c.n + 1
)
select r.id,r.a,r.b,r.c,r.d,r.e,r.f,r.g,r.h,r.i,r.ts,'U','tx2',c.hash from r join chain c on c.n = r.n order by r.n;
show profiles;
drop database spike;
