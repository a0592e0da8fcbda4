import { expect, it } from 'vitest';
import type { SqlEntityManager } from '@mikro-orm/sqlite';
import { AuditTrail, AuditTrailConfigError, AuditTrailError, auditOf, pruneAudit } from '../../src/index.js';
import type { AuditTrailErrorCode } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Parcel {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) label!: string;
}

const ParcelAudit = auditOf(Parcel);

describeOnEachDatabase('errors you can catch', { file: import.meta.url, config: { entities: [Parcel] } }, ctx => {
  it('keeps instanceof, code and entity for the write guard, whatever MikroORM wraps its error in', async () => {
    await refreshSchema(ctx.t.orm);
    const em = ctx.t.orm.em.fork() as unknown as SqlEntityManager;
    const table = em.getPlatform().quoteIdentifier('parcel_audit');
    const attempts: Promise<unknown>[] = [
      em.execute(`delete from ${table}`),
      em.getConnection().execute(`delete from ${table}`),
      em.nativeDelete(ParcelAudit, {}),
      em.insert(ParcelAudit, { id: 1, label: 'forged', _audit_timestamp: new Date(), _audit_change_type: 'I' } as never),
      em.transactional(trx => (trx).createQueryBuilder(ParcelAudit).update({ label: 'x' } as never).where({ id: 1 }).execute()),
    ];
    for (const attempt of attempts) {
      const error = await attempt.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(AuditTrailError);
      expect(error).not.toBeInstanceOf(AuditTrailConfigError);
      expect(error).toMatchObject({ code: 'AUDIT_WRITTEN_WITH_SQL', entity: 'ParcelAudit' });
    }
    const unaudited = await em.execute(`update ${em.getPlatform().quoteIdentifier('parcel')} set label = 'x'`).then(() => null, (e: unknown) => e);
    expect(unaudited).toBeInstanceOf(AuditTrailError);
    expect(unaudited).toMatchObject({ code: 'AUDIT_UNAUDITED_STATEMENT', entity: 'Parcel' });
  });

  it('gives every runtime error a code and the entity', async () => {
    const error = await pruneAudit(ctx.t.orm.em.fork(), Parcel, {}).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(AuditTrailError);
    expect(error).toMatchObject({ code: 'AUDIT_PRUNE_CRITERIA_MISSING' satisfies AuditTrailErrorCode, entity: 'Parcel', name: 'AuditTrailError' });
    expect(new Error('plain')).not.toBeInstanceOf(AuditTrailError);
    expect({ auditTrailError: {} }).not.toBeInstanceOf(AuditTrailError);
  });
});
