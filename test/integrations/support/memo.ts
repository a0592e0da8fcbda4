import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager, MikroORM } from '@mikro-orm/core';
import { AuditTrail, auditOf, type AuditTrailModuleOptions } from '../../../src/index.js';
import { Entity, PrimaryKey, Property } from '../../support/mikro.js';

/** The audited entity the framework tests write: `owner` is the user the client says it acts for. */
@Entity()
@AuditTrail()
export class Memo {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) owner!: string;
  @Property({ type: 'string' }) text!: string;
}

export const MemoAudit = auditOf(Memo);

// The one place that says where the actor is recorded: the built-in `_audit_actor` column, with its defaults.
export const actorModuleOptions: AuditTrailModuleOptions = {};

/** The actor recorded in an audit row. */
export function recordedActor(row: { _audit_actor?: string | number | null }): string | null {
  return row._audit_actor == null ? null : String(row._audit_actor);
}

/** Creates, updates and deletes a memo of `owner` in three flushes, yielding in between so requests interleave. */
export async function memoLifecycle(em: EntityManager, owner: string): Promise<void> {
  const memo = em.create(Memo, { owner, text: 'draft' });
  await em.flush();
  await sleep(Math.floor(Math.random() * 5));
  memo.text = 'final';
  await em.flush();
  await sleep(Math.floor(Math.random() * 5));
  em.remove(memo);
  await em.flush();
}

/** Every audit row, and those whose recorded actor is not the memo's owner. */
export async function attribution(orm: MikroORM): Promise<{ rows: number; misattributed: number; perOwner: Map<string | null, number> }> {
  const rows = await orm.em.fork().find(MemoAudit, {}, { orderBy: { _audit_id: 'asc' } });
  const perOwner = new Map<string | null, number>();
  for (const row of rows) {
    perOwner.set(row.owner, (perOwner.get(row.owner) ?? 0) + 1);
  }
  return { rows: rows.length, misattributed: rows.filter(row => recordedActor(row) !== row.owner).length, perOwner };
}
