create table `person_audit` (`_audit_id` bigint unsigned not null auto_increment primary key, `id` int unsigned null, `first_name` varchar(100) null, `email` varchar(255) null, `salary` numeric(10,2) null, `team_id` int unsigned null, `passport_id` int unsigned null, `_audit_timestamp` datetime(3) not null, `_audit_transaction` varchar(36) null, `_audit_reason` text null, `_audit_actor` varchar(255) null, `_audit_change_type` char(1) not null, `username` varchar(30) null, `approved_by_id` int unsigned null) default character set utf8mb4 engine = InnoDB;
alter table `person_audit` add index `person_audit_id_index` (`id`);
alter table `person_audit` add index `person_audit_team_id_index` (`team_id`);
alter table `person_audit` add index `person_audit_passport_id_index` (`passport_id`);
alter table `person_audit` add index `person_audit__audit_timestamp_index` (`_audit_timestamp`);
alter table `person_audit` add index `person_audit__audit_transaction_index` (`_audit_transaction`);
alter table `person_audit` add index `person_audit__audit_actor_index` (`_audit_actor`);
alter table `person_audit` add index `person_audit_approved_by_id_index` (`approved_by_id`)