// The seal and prune record tables are library entities: added with tamper evidence, created by migrations,
// read like any entity, and never changed by the application through MikroORM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroORM, type EntityManager, type Options } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { AuditTrail, AuditTrailError, AuditTrailPruned, AuditTrailSeal, sealAuditTrail, verifyAuditTrail, withAuditTrail } from '../../src/index.js';
import { runInProcess } from '../cli/support/captureIo.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { migrationProject, type MigrationProject } from '../support/migrationProject.js';
import { Entity, PrimaryKey, Property } from '../support/mikro.js';
import { KEY } from './support/ledger.js';

@Entity()
@AuditTrail({ tamperEvidence: true })
class Voucher {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) code!: string;
}

@Entity()
@AuditTrail()
class Plain {
  @PrimaryKey({ type: 'number' }) id!: number;
}

describe('which configs get the seal tables', () => {
  const names = (entities: unknown[] | undefined) => (entities ?? []).filter(e => e === AuditTrailSeal || e === AuditTrailPruned).length;
  it('with the module option, or an entity that turns tamper evidence on; not otherwise', () => {
    expect(names(withAuditTrail({ entities: [Plain] }, { tamperEvidence: true }).entities)).toBe(2);
    expect(names(withAuditTrail({ entities: [Plain, Voucher] }).entities)).toBe(2);
    expect(names(withAuditTrail({ entitiesTs: [Voucher] }).entitiesTs)).toBe(2);
    expect(names(withAuditTrail({ entities: [Plain] }).entities)).toBe(0);
    expect(names(withAuditTrail({ entities: [Voucher, AuditTrailSeal, AuditTrailPruned] }).entities)).toBe(2);
  });
});

describe('an application without tamper evidence', () => {
  it('verifies nothing: the API says so, the command exits 2 with what to turn on', async () => {
    const orm = await MikroORM.init(withAuditTrail({ ...DATABASES[0]!.config(':memory:'), entities: [Plain], allowGlobalContext: true } as Options));
    try {
      expect(await verifyAuditTrail(orm)).toEqual({ findings: [], omittedFindings: 0, tables: [], seals: 'none', keyId: undefined, retiredKeyIds: [] });
      expect((await sealAuditTrail(orm, { key: KEY })).tables).toEqual([]);
      const run = await runInProcess(orm, ['verify']);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/No audited entity has tamper evidence on.*tamperEvidence: true/);
    } finally {
      await orm.close(true);
    }
  });
});

describe.each(DATABASES.filter(db => db.available))('seal tables on $name', db => {
  let project: MigrationProject;
  let em: EntityManager;

  beforeAll(async () => {
    project = migrationProject(db, dbNameFor(import.meta.url));
    await project.open([Voucher]);
    const statements = await project.migrate();
    expect(statements.some(statement => /create table [`"]?audit_trail_seal/.test(statement))).toBe(true);
    expect(statements.some(statement => /create table [`"]?audit_trail_pruned/.test(statement))).toBe(true);
    const orm = await project.open([Voucher]);
    em = orm.em.fork();
    await orm.em.fork().transactional(trx => {
      trx.create(Voucher, { id: 1, code: 'first' });
    });
    await sealAuditTrail(orm, { key: KEY });
  });
  afterAll(() => project?.close());

  it('the migration creates them and nothing is left to migrate; the ORM reads them', async () => {
    expect(await project.pendingStatements()).toEqual([]);
    const seals = await em.find(AuditTrailSeal, {}, { orderBy: { id: 'asc' } });
    expect(seals.map(seal => seal.audit_table)).toEqual(['voucher_audit']);
    expect(seals[0]).toMatchObject({ key_id: KEY.id, from_id: expect.anything(), previous_mac: '' });
  });

  it('refuses every change the application tries through MikroORM', async () => {
    const sql = em as unknown as SqlEntityManager;
    const q = (name: string) => em.getPlatform().quoteIdentifier(name);
    const attempts: (() => Promise<unknown>)[] = [
      () => sql.execute(`delete from ${q('audit_trail_seal')}`),
      () => sql.execute(`update ${q('audit_trail_pruned')} set ${q('mac')} = 'x'`),
      () => em.nativeDelete(AuditTrailSeal, {}),
      () => em.nativeUpdate(AuditTrailSeal, {}, { digest: 'x' }),
      () => em.insert(AuditTrailPruned, { pruned_at: new Date(), audit_table: 'x', audit_id: '1', key_id: 'x', mac: 'x' }),
      () => sql.transactional(trx => (trx).createQueryBuilder(AuditTrailSeal).update({ digest: 'x' }).where({ id: 1 }).execute()),
      async () => {
        const fork = em.fork();
        const seal = await fork.findOneOrFail(AuditTrailSeal, { audit_table: 'voucher_audit' });
        seal.digest = '0'.repeat(64);
        await fork.flush();
      },
      async () => {
        const fork = em.fork();
        fork.remove(await fork.findOneOrFail(AuditTrailSeal, { audit_table: 'voucher_audit' }));
        await fork.flush();
      },
    ];
    for (const attempt of attempts) {
      const error = await attempt().then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(AuditTrailError);
      expect((error as AuditTrailError).code).toMatch(/^AUDIT_(WRITTEN_WITH_SQL|READ_ONLY)$/);
    }
    expect(await em.fork().count(AuditTrailSeal)).toBe(1);
  });
});
