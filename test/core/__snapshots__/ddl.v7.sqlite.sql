create table `person_audit` (`_audit_id` integer not null primary key autoincrement, `id` integer null, `first_name` text null, `email` text null, `salary` numeric(10,2) null, `team_id` integer null, `passport_id` integer null, `_audit_timestamp` datetime not null, `_audit_transaction` text null, `_audit_reason` text null, `_audit_actor` text null, `_audit_change_type` char(1) not null, `username` text null, `approved_by_id` integer null);
create index `person_audit_id_index` on `person_audit` (`id`);
create index `person_audit_team_id_index` on `person_audit` (`team_id`);
create index `person_audit_passport_id_index` on `person_audit` (`passport_id`);
create index `person_audit__audit_timestamp_index` on `person_audit` (`_audit_timestamp`);
create index `person_audit__audit_transaction_index` on `person_audit` (`_audit_transaction`);
create index `person_audit__audit_actor_index` on `person_audit` (`_audit_actor`);
create index `person_audit_approved_by_id_index` on `person_audit` (`approved_by_id`)