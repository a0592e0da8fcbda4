// Three entities with the same columns: one plain, one audited by the library, one audited by a trigger.
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { AuditTrail, auditContext } from '../src/index.js';

export abstract class BenchRow {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', length: 100 }) name!: string;
  @Property({ type: 'string', length: 100 }) email!: string;
  @Property({ type: 'number' }) age!: number;
  @Property({ type: 'double' }) score!: number;
  @Property({ type: 'Date', length: 3 }) joinedAt!: Date;
}

@Entity({ tableName: 'bench_plain' })
export class BenchPlain extends BenchRow {}

@Entity({ tableName: 'bench_library' })
@AuditTrail({
  trackFields: [{ name: 'username', type: 'string', length: 30, value: () => auditContext.current()?.user ?? null }],
})
export class BenchLibrary extends BenchRow {}

@Entity({ tableName: 'bench_trigger' })
export class BenchTrigger extends BenchRow {}

@Entity({ tableName: 'bench_statement' })
export class BenchStatementTrigger extends BenchRow {}

export type BenchEntity = typeof BenchPlain | typeof BenchLibrary | typeof BenchTrigger | typeof BenchStatementTrigger;
export const BENCH_COLUMNS = ['id', 'name', 'email', 'age', 'score', 'joined_at'] as const;

// The library's entity again, with tamper evidence: `npm run bench -- --ops tamper` compares the two.
@Entity({ tableName: 'bench_tamper' })
@AuditTrail({
  tamperEvidence: true,
  trackFields: [{ name: 'username', type: 'string', length: 30, value: () => auditContext.current()?.user ?? null }],
})
export class BenchTamper extends BenchRow {}

/** The change each timed flush makes to the loaded rows: an update of two columns, or a delete. */
export function changeLoaded(em: { remove(entity: object): unknown }, loaded: readonly BenchRow[], operation: 'update' | 'delete'): void {
  for (const entity of loaded) {
    if (operation === 'update') {
      entity.score += 1;
      entity.name += '!';
    } else {
      em.remove(entity);
    }
  }
}
