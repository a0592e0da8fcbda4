import { describe, expect, it } from 'vitest';
import { Collection, MikroORM, type Options } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import {
  AuditTrail,
  AuditTrailConfigError,
  auditOf,
  withAuditTrail,
  type AuditTrailModuleOptions,
  type AuditTrailOptions,
} from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { Entity, ManyToMany, ManyToOne, PrimaryKey, Property, createSchemaSql, refreshSchema } from '../support/mikro.js';

@Entity()
class Team {
  @PrimaryKey({ type: 'number' }) id!: number;
}

function audited(name: string, options?: AuditTrailOptions, extra?: (target: { prototype: object }) => void) {
  const cls = { [name]: class {} }[name]!;
  PrimaryKey({ type: 'number' })(cls.prototype, 'id');
  Property({ type: 'string' })(cls.prototype, 'firstName');
  extra?.(cls);
  Entity()(cls);
  AuditTrail(options)(cls);
  return cls;
}

const cases: [string, () => Partial<Options> & { moduleOptions?: AuditTrailModuleOptions }, RegExp][] = [
  [
    'a property named like an audit column',
    () => ({ entities: [audited('Clash1', {}, c => Property({ type: 'string' })(c.prototype, '_audit_note'))] }),
    /Clash1\._audit_note clashes with the audit column '_audit_note'.*Rename the property/,
  ],
  [
    'a column named like an audit column',
    () => ({ entities: [audited('Clash2', {}, c => Property({ type: 'string', fieldName: '_audit_user' })(c.prototype, 'auditUser'))] }),
    /Clash2\.auditUser clashes with the audit column '_audit_user'/,
  ],
  [
    'a track field named like a property',
    () => ({ entities: [audited('Clash3', { trackFields: [{ name: 'firstName', type: 'string', value: null }] })] }),
    /Track field 'firstName' of Clash3 has the same name as the property Clash3\.firstName.*Rename the track field/,
  ],
  [
    'a track field whose column is a property column',
    () => ({ entities: [audited('Clash4', { trackFields: [{ name: 'first_name', type: 'string', value: null }] })] }),
    /Track field 'first_name' of Clash4 maps to column 'first_name', which Clash4\.firstName already uses/,
  ],
  [
    'two track fields with one name',
    () => ({
      entities: [audited('Dup', { trackFields: [{ name: 'user', type: 'string', value: null }] })],
      moduleOptions: { globalTrackFields: [{ name: 'user', type: 'string', value: null }] },
    }),
    /Track field 'user' is declared twice for Dup/,
  ],
  [
    'a track field without type',
    () => ({ entities: [audited('NoType', { trackFields: [{ name: 'user', value: null } as never] })] }),
    /Track field 'user' of NoType has no column type\. Add `type: 'string'`/,
  ],
  [
    'an option of the wrong type',
    () => ({ entities: [audited('BadFlag', { saveChangeType: 'yes' } as never)] }),
    /@AuditTrail option 'saveChangeType' of BadFlag must be a boolean, got the string 'yes'/,
  ],
  [
    'an unknown option',
    () => ({ entities: [audited('Typo', { auditDelete: false } as never)] }),
    /@AuditTrail option 'auditDelete' of Typo is not known\. Known options: saveChangeType, auditDeletes/,
  ],
  [
    'dropRemovedColumns of the wrong type',
    () => ({ entities: [audited('BadDrop', { dropRemovedColumns: 'age' } as never)] }),
    /@AuditTrail option 'dropRemovedColumns' of BadDrop must be a boolean or an array of column names, got the string 'age'/,
  ],
  [
    'exclude naming an unknown field',
    () => ({ entities: [audited('BadExclude', { exclude: ['pasword'] })] }),
    /@AuditTrail option 'exclude' of BadExclude names 'pasword', which is not a property of BadExclude\. Use one of: id, firstName/,
  ],
  [
    'exclude naming the primary key',
    () => ({ entities: [audited('ExcludeKey', { exclude: ['id'] })] }),
    /'exclude' of ExcludeKey names ExcludeKey\.id, its primary key: .* Remove 'id' from 'exclude'/,
  ],
  [
    'mask naming an unknown field',
    () => ({ entities: [audited('BadMask', { mask: { sn: () => '***' } })] }),
    /@AuditTrail option 'mask' of BadMask names 'sn', which is not a property of BadMask\. Use one of: id, firstName/,
  ],
  [
    // The owner's options also shape its collections' pivot audit tables: the owner's error, not a crash there.
    'mask naming an unknown field on the owner of a many-to-many collection',
    () => ({ entities: [Team, audited('BadMaskOwner', { mask: { sn: () => '***' } }, c => ManyToMany(() => Team)(c.prototype, 'teams'))] }),
    /@AuditTrail option 'mask' of BadMaskOwner names 'sn', which is not a property of BadMaskOwner\. Use one of: id, firstName/,
  ],
  [
    'mask naming a pivot column on the owner of a many-to-many collection',
    () => ({ entities: [Team, audited('PivotMaskOwner', { mask: { team: () => null } }, c => ManyToMany(() => Team)(c.prototype, 'teams'))] }),
    /@AuditTrail option 'mask' of PivotMaskOwner names 'team', which is not a property of PivotMaskOwner\. Use one of: id, firstName/,
  ],
  [
    'mask on a relation',
    () => ({ entities: [Team, audited('MaskRelation', { mask: { team: () => null } }, target => ManyToOne(() => Team, { nullable: true })(target.prototype, 'team'))] }),
    /'mask' of MaskRelation names MaskRelation\.team, which is not a scalar column .* Put 'team' in 'exclude' instead/,
  ],
  [
    'mask that is not a function',
    () => ({ entities: [audited('MaskValue', { mask: { firstName: '***' } } as never)] }),
    /@AuditTrail option 'mask\.firstName' of MaskValue must be a function/,
  ],
  [
    'track fields that are not an array',
    () => ({ entities: [audited('NotArray', { trackFields: {} as never })] }),
    /@AuditTrail option 'trackFields' of NotArray must be an array/,
  ],
  [
    'an audit table name that is another entity\'s table',
    () => ({ entities: [Team, audited('TableClash', { tableName: 'team' })] }),
    /The audit table 'team' of TableClash is already the table of entity Team.*tableName/,
  ],
  [
    'an audited class that is not an entity',
    () => {
      const NotEntity = { NotEntity: class {} }.NotEntity;
      AuditTrail()(NotEntity);
      return { entities: [Team, auditOf(NotEntity)] };
    },
    /NotEntity is marked with @AuditTrail\(\) but was not discovered as an entity\. Decorate it with @Entity\(\)/,
  ],
  [
    'an audited entity whose audit entity is not in the config',
    () => {
      const Owner = audited('Owner');
      const Pet = { Pet: class {} }.Pet;
      PrimaryKey({ type: 'number' })(Pet.prototype, 'id');
      ManyToOne(() => Owner)(Pet.prototype, 'owner');
      Entity()(Pet);
      return { entities: [Pet] }; // Owner is only discovered as Pet's relation target
    },
    /Owner is marked with @AuditTrail\(\) but its audit entity is not in the config.*auditOf\(Owner\)/,
  ],
  [
    'an audited entity with no primary key (a virtual entity)',
    () => {
      const Report = { Report: class {} }.Report;
      Property({ type: 'number' })(Report.prototype, 'total');
      Entity({ expression: 'select 1 as total' })(Report);
      AuditTrail()(Report);
      return { entities: [Report] };
    },
    /Report has no primary key.*Remove @AuditTrail\(\) from Report/,
  ],
  [
    'single table inheritance (not supported yet)',
    () => {
      const Animal = { Animal: class {} }.Animal;
      PrimaryKey({ type: 'number' })(Animal.prototype, 'id');
      Property({ type: 'string' })(Animal.prototype, 'type');
      Entity({ discriminatorColumn: 'type', discriminatorMap: { dog: 'Dog' } })(Animal);
      const Dog = { Dog: class extends Animal {} }.Dog;
      Property({ type: 'string' })(Dog.prototype, 'bark');
      Entity()(Dog);
      AuditTrail()(Dog);
      return { entities: [Animal, Dog] };
    },
    /Dog uses single table inheritance, which the audit trail does not support yet/,
  ],
  [
    'an audit entity name taken by another entity',
    () => {
      const Thing = audited('Thing');
      const ThingAudit = { ThingAudit: class {} }.ThingAudit;
      PrimaryKey({ type: 'number' })(ThingAudit.prototype, 'id');
      Entity()(ThingAudit);
      return { entities: [Thing, ThingAudit] };
    },
    /The audit entity of Thing is named ThingAudit, but an entity with that name already exists/,
  ],
];

describe.each(DATABASES.filter(db => db.available))('configuration errors on $name', db => {
  it.each(cases)('rejects %s at MikroORM.init', async (_, makeConfig, message) => {
    const { moduleOptions, ...config } = makeConfig();
    const init = async () => MikroORM.init(withAuditTrail({ ...db.config(dbNameFor(import.meta.url)), ...config } as Options, moduleOptions));
    const error = await init().then(
      orm => orm.close().then(() => new Error('MikroORM.init succeeded')),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuditTrailConfigError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('configuration errors before init', () => {
  it('rejects auditOf() of an entity that is not marked', () => {
    expect(() => auditOf(Team)).toThrow(/Team is not marked for auditing\. Add @AuditTrail\(\)/);
  });

  it('rejects module options of the wrong type', () => {
    expect(() => withAuditTrail({}, { batchSize: 0 })).toThrow(/^withAuditTrail\(\) option 'batchSize' must be a positive integer/);
    expect(() => withAuditTrail({}, { globalTrackFields: {} as never })).toThrow(/^withAuditTrail\(\) option 'globalTrackFields' must be an array/);
    expect(() => withAuditTrail({}, { schemaCheck: 'strict' as never })).toThrow(/^withAuditTrail\(\) option 'schemaCheck' must be 'warn', 'error' or 'off', got the string 'strict'/);
    expect(() => withAuditTrail({}, { strict: 'yes' as never })).toThrow(expect.objectContaining({ code: 'AUDIT_INVALID_MODULE_OPTION', entity: undefined }));
  });

  it('registers once when applied twice, and accepts auditOf() listed by hand', () => {
    const Person = audited('Twice');
    const once = withAuditTrail({ entities: [Person, auditOf(Person)] } as Partial<Options>);
    const twice = withAuditTrail(once);
    expect(twice).toBe(once);
    expect(once.entities).toEqual([Person, auditOf(Person)]);
    expect([...(once.subscribers as Iterable<unknown>)]).toHaveLength(1);
  });

  it.each(DATABASES.filter(db => db.available))('audits once with auditOf() listed by hand and the config wrapped twice ($name)', async db => {
    const Person = audited('ByHand');
    const config = { ...db.config(dbNameFor(import.meta.url)), entities: [auditOf(Person), Person] } as Options;
    const orm = await MikroORM.init(withAuditTrail(withAuditTrail(config)));
    try {
      await refreshSchema(orm);
      const em = orm.em.fork();
      em.create(Person as never, { firstName: 'x' });
      await em.flush();
      expect(await em.count(auditOf(Person))).toBe(1);
    } finally {
      await orm.close(true);
    }
  });
});

describe('auditOf', () => {
  it('returns the same audit entity for the same entity, class or schema', () => {
    const Person = audited('Same');
    expect(auditOf(Person)).toBe(auditOf(Person));
    expect(auditOf(Person).meta.className).toBe('SameAudit');
  });
});

describe('many-to-many collections of audited entities', () => {
  it('get a pivot audit table each, and no startup warning', async () => {
    @Entity()
    class Label {
      @PrimaryKey({ type: 'number' }) id!: number;
    }
    @Entity()
    @AuditTrail()
    class Album {
      @PrimaryKey({ type: 'number' }) id!: number;
      @ManyToMany(() => Label) labels = new Collection<Label>(this);
    }
    const log: string[] = [];
    const orm = await MikroORM.init(
      withAuditTrail({ driver: SqliteDriver, dbName: ':memory:', entities: [Label, Album], logger: (message: string) => log.push(message) } as Options),
    );
    try {
      expect(await createSchemaSql(orm)).toMatch(/create table `album_labels_audit`/);
      expect(log.filter(line => line.includes('many-to-many'))).toEqual([]);
    } finally {
      await orm.close(true);
    }
  });
});
