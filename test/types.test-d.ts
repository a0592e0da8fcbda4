import { expectTypeOf, test } from 'vitest';
import type { Collection, EntityManager, EntityRepository, Ref } from '@mikro-orm/core';
import {
  AuditTrail,
  auditHistory,
  auditOf,
  type AuditRow,
  type AuditTrailModuleOptions,
  type AuditTrailOptions,
  type ChangeType,
  type TrackField,
} from '../src/index.js';

class Team {
  id!: number;
}

class Person {
  id!: number;
  firstName!: string;
  age?: number;
  team!: Ref<Team>;
  friends!: Collection<Person>;
  greet(): string {
    return this.firstName;
  }
}

test('an audit row has the entity columns (nullable), the audit columns, and no collections or methods', () => {
  type Row = AuditRow<Person>;
  expectTypeOf<Row['firstName']>().toEqualTypeOf<string | null>();
  expectTypeOf<Row['team']>().toEqualTypeOf<Ref<Team> | null>();
  expectTypeOf<Row['_audit_id']>().toEqualTypeOf<number>();
  expectTypeOf<Row['_audit_timestamp']>().toEqualTypeOf<Date>();
  expectTypeOf<Row['_audit_change_type']>().toEqualTypeOf<ChangeType | undefined>();
  expectTypeOf<Row['_audit_actor']>().toEqualTypeOf<string | number | null | undefined>();
  expectTypeOf<Row>().not.toHaveProperty('friends');
  expectTypeOf<Row>().not.toHaveProperty('greet');
});

test('auditOf gives a typed repository, and track fields can be typed', () => {
  const PersonAudit = auditOf<typeof Person, { username: string | null }>(Person);
  const em = {} as EntityManager;
  expectTypeOf(em.getRepository(PersonAudit)).toEqualTypeOf<EntityRepository<AuditRow<Person, { username: string | null }>>>();
  expectTypeOf(auditHistory(em, new Person())).resolves.toEqualTypeOf<AuditRow<Person>[]>();
});

test('track field callbacks see the audited entity type', () => {
  const options: AuditTrailOptions<Person> = {
    trackFields: [{ name: 'nameLength', type: 'number', value: ({ entity, changeType }) => (changeType === 'D' ? 0 : entity.firstName.length) }],
  };
  expectTypeOf(options.trackFields).toEqualTypeOf<TrackField<Person>[] | undefined>();
  // @ts-expect-error saveChangeType is a boolean
  const wrong: AuditTrailOptions = { saveChangeType: 'yes' };
  // @ts-expect-error a track field needs `type` or `entity`, not both
  const both: TrackField = { name: 'x', type: 'string', entity: () => Team, value: null };
  expectTypeOf(AuditTrail<Person>).parameter(0).toEqualTypeOf<AuditTrailOptions<Person> | undefined>();
  void wrong;
  void both;
});

test('exclude and mask name properties of a typed entity, and any string otherwise', () => {
  const typed: AuditTrailOptions<Person> = { exclude: ['age'], mask: { firstName: value => String(value).slice(0, 1) } };
  // @ts-expect-error 'pasword' is not a property of Person
  const typo: AuditTrailOptions<Person> = { exclude: ['pasword'] };
  // @ts-expect-error nor is 'ssn'
  const maskTypo: AuditTrailOptions<Person> = { mask: { ssn: () => null } };
  const untyped: AuditTrailOptions = { exclude: ['anything'], mask: { other: () => null } };
  void typed;
  void typo;
  void maskTypo;
  void untyped;
});

test('the actor column and requireActor are typed module options', () => {
  const options: AuditTrailModuleOptions[] = [{ actor: false }, { actor: { type: 'number' } }, { actor: { length: 64 }, requireActor: 'error' }, { requireActor: false }];
  // @ts-expect-error requireActor is 'error', 'warn' or false
  const always: AuditTrailModuleOptions = { requireActor: true };
  // @ts-expect-error the actor column is text or a number
  const uuid: AuditTrailModuleOptions = { actor: { type: 'uuid' } };
  void options;
  void always;
  void uuid;
});
