import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MikroORM, defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { EntitySchema } from '@mikro-orm/core';
import { expectTypeOf, test } from 'vitest';
import { auditTrail, withAuditTrail } from '../../src/index.js';

class Note {
  id!: number;
}
const NoteSchema = auditTrail(new EntitySchema<Note>({ class: Note, properties: { id: { type: 'number', primary: true } } }));

test('withAuditTrail accepts what @mikro-orm/nestjs accepts', () => {
  void MikroOrmModule.forRoot(withAuditTrail({ driver: PostgreSqlDriver, dbName: 'x', autoLoadEntities: true, registerRequestContext: true }));
  void MikroOrmModule.forRoot(withAuditTrail({ driver: SqliteDriver, dbName: ':memory:', entities: [NoteSchema], loadStrategy: 'joined' }));
  void MikroOrmModule.forRootAsync({ useFactory: () => withAuditTrail({ driver: PostgreSqlDriver, autoLoadEntities: true, forceUtcTimezone: true }) });
});

test('withAuditTrail accepts driver-specific configs and readonly entity lists', () => {
  const entities = [NoteSchema] as const;
  const config = withAuditTrail(defineConfig({ entities: [NoteSchema], dbName: 'x', schemaGenerator: { disableForeignKeys: false } }));
  void MikroORM.init(config);
  expectTypeOf(withAuditTrail({ entities, dbName: 'x' }).entities).toEqualTypeOf<readonly [typeof NoteSchema]>();
  void MikroORM.init(withAuditTrail({ entities: [NoteSchema], dbName: 'x', driverOptions: { connection: { ssl: false } } }));
});

test('withAuditTrail keeps the config type it is given', () => {
  const config = withAuditTrail({ driver: PostgreSqlDriver, dbName: 'x', autoLoadEntities: true as const });
  expectTypeOf(config.autoLoadEntities).toEqualTypeOf<true>();
  // @ts-expect-error an unknown option is still an error, as in MikroORM's own config
  withAuditTrail({ driver: PostgreSqlDriver, dbName: 'x' }, { noSuchOption: true });
});
