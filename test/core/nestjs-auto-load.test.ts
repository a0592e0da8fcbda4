// @mikro-orm/nestjs with `autoLoadEntities`: entities come from `MikroOrmModule.forFeature()` and reach the config
// after `withAuditTrail` wrapped it, so their audit entities must be registered there too; the error says so.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MikroORM } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { describe, expect, it } from 'vitest';
import { AuditTrail, auditOf, withAuditTrail } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';

@Entity()
@AuditTrail()
class Invoice {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) number!: string;
}

async function start(features: unknown[]): Promise<MikroORM> {
  @Module({
    imports: [
      MikroOrmModule.forRoot(withAuditTrail({ driver: SqliteDriver, dbName: ':memory:', autoLoadEntities: true, allowGlobalContext: true })),
      MikroOrmModule.forFeature(features as never),
    ],
  })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
  return app.get(MikroORM);
}

describe('@mikro-orm/nestjs autoLoadEntities', () => {
  it('names forFeature in the error when only the audited entity is registered', async () => {
    await expect(start([Invoice])).rejects.toThrow(/Invoice is marked with @AuditTrail\(\).*MikroOrmModule\.forFeature\(\[Invoice, auditOf\(Invoice\)\]\)/s);
  });

  it('audits the entity when forFeature registers its audit entity beside it', async () => {
    const orm = await start([Invoice, auditOf(Invoice)]);
    try {
      await refreshSchema(orm);
      const em = orm.em.fork();
      em.create(Invoice, { number: 'A-1' });
      await em.flush();
      expect((await em.fork().find(auditOf(Invoice), {})).map(row => [row._audit_change_type, row.number])).toEqual([['I', 'A-1']]);
    } finally {
      await orm.close();
    }
  });
});
