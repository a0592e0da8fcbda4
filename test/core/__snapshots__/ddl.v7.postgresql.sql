create table "person_audit" ("_audit_id" bigserial primary key, "id" int null, "first_name" varchar(100) null, "email" varchar(255) null, "salary" numeric(10,2) null, "team_id" int null, "passport_id" int null, "_audit_timestamp" timestamptz(3) not null, "_audit_transaction" varchar(36) null, "_audit_reason" text null, "_audit_actor" varchar(255) null, "_audit_change_type" char(1) not null, "username" varchar(30) null, "approved_by_id" int null);
create index "person_audit_id_index" on "person_audit" ("id");
create index "person_audit_team_id_index" on "person_audit" ("team_id");
create index "person_audit_passport_id_index" on "person_audit" ("passport_id");
create index "person_audit__audit_timestamp_index" on "person_audit" ("_audit_timestamp");
create index "person_audit__audit_transaction_index" on "person_audit" ("_audit_transaction");
create index "person_audit__audit_actor_index" on "person_audit" ("_audit_actor");
create index "person_audit_approved_by_id_index" on "person_audit" ("approved_by_id")