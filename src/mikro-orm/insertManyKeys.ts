import { QueryHelper, type EntityManager, type EntityMetadata } from '@mikro-orm/core';

/**
 * Inserts plain rows and returns every generated key. MikroORM 6's `em.insertMany()` of plain rows returns only
 * the first one; the driver's `nativeInsertMany` result holds all of them (per row, as MikroORM's own batch
 * inserts read them). Returns `undefined` for a key it could not read.
 */
export async function insertManyKeys(em: EntityManager, meta: EntityMetadata, rows: object[], options: object): Promise<unknown[][]> {
  const processed: Record<string, unknown>[] = rows.map(row => QueryHelper.processObjectParams({ ...row } as Record<string, unknown>));
  const driver = em.getDriver() as unknown as {
    nativeInsertMany(entityName: string, data: object[], options: object): Promise<{ rows?: Record<string, unknown>[] }>;
  };
  const result = await driver.nativeInsertMany(meta.className, processed, { ctx: em.getTransactionContext<object>(), ...options });
  const keyProps = meta.getPrimaryProps();
  return processed.map((row, i) => keyProps.map((prop): unknown => row[prop.name] ?? result.rows?.[i]?.[prop.fieldNames[0]!]));
}
