import type { EntityManager } from '@mikro-orm/core';

/** The part of MikroORM's query builder the tests call (the SQL drivers' EntityManager has it). */
export interface TestQueryBuilder {
  insert(data: object): TestQueryBuilder;
  onConflict(fields: string[]): { merge(): TestQueryBuilder };
  update(data: object): TestQueryBuilder;
  delete(): TestQueryBuilder;
  where(cond: object): TestQueryBuilder;
  execute(): Promise<unknown>;
}

/** `em.createQueryBuilder(entity)`, typed for the tests whatever the driver package. */
export function queryBuilder(em: EntityManager, entity: object): TestQueryBuilder {
  return (em as unknown as { createQueryBuilder(entity: object): TestQueryBuilder }).createQueryBuilder(entity);
}
