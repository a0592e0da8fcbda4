// The history the tamper suite works on: a Ledger entity with tamper evidence, written through the ORM in
// transactions of one and of several rows, a seal, and more history after it.
import { MikroORM, type EntityManager, type Options } from '@mikro-orm/core';
import { afterAll, beforeAll, describe } from 'vitest';
import { AuditTrail, SealKey, sealAuditTrail, withAuditTrail, type AuditTrailModuleOptions } from '../../../src/index.js';
import { DATABASES, dbNameFor, type DriverName, type TestDatabase } from '../../support/databases.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../../support/mikro.js';
import { fileBackedConfig, openDba, type Dba } from './dba.js';

@Entity()
@AuditTrail()
export class Ledger {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) owner!: string;
  @Property({ type: 'number' }) amount!: number;
  @Property({ type: 'Date', nullable: true }) settledAt?: Date | null;
  @Property({ type: 'text', nullable: true }) note?: string | null;
}

export const KEY = SealKey.parse('5e'.repeat(32));
export const OTHER_KEY = SealKey.parse('a7'.repeat(32));
export const AUDIT_TABLE = 'ledger_audit';

export interface TamperContext {
  readonly db: TestDatabase;
  readonly orm: MikroORM;
  readonly config: Options;
  /** The administrator's connection, opened for each suite. */
  readonly dba: Dba;
}

/** Declares `body` on each database with an ORM (tamper evidence on) and an administrator's connection. */
export function describeTamper(
  title: string,
  file: string,
  body: (ctx: TamperContext) => void,
  moduleOptions: AuditTrailModuleOptions = {},
  only?: readonly DriverName[],
): void {
  for (const db of DATABASES.filter(candidate => !only || only.includes(candidate.name))) {
    describe.skipIf(!db.available)(`${title} on ${db.name}`, () => {
      let ctx: TamperContext | undefined;
      beforeAll(async () => {
        const config = { ...fileBackedConfig(db, dbNameFor(file)), entities: [Ledger], allowGlobalContext: true } as Options;
        const orm = await MikroORM.init(withAuditTrail(config, { tamperEvidence: true, ...moduleOptions }));
        await refreshSchema(orm);
        ctx = { db, orm, config, dba: await openDba(db, config) };
      });
      afterAll(async () => {
        await ctx?.dba.close();
        await ctx?.orm.close(true);
      });
      body({
        db,
        get orm() {
          return ctx!.orm;
        },
        get config() {
          return ctx!.config;
        },
        get dba() {
          return ctx!.dba;
        },
      });
    });
  }
}

const day = (n: number) => new Date(Date.UTC(2026, 2, n, 12, 30, 15, 250));

/** Three transactions: three inserts; two updates; an insert, an update and a delete. */
export async function writeFirstHistory(orm: MikroORM): Promise<void> {
  await orm.em.fork().transactional(em => {
    for (const id of [1, 2, 3]) {
      em.create(Ledger, { id, owner: `owner ${id}`, amount: id * 100, settledAt: id === 1 ? day(1) : null, note: id === 3 ? 'quote \' and "double"' : null });
    }
  });
  await orm.em.fork().transactional(async em => {
    const [one, two] = await Promise.all([em.findOneOrFail(Ledger, 1), em.findOneOrFail(Ledger, 2)]);
    one.amount = 150;
    two.owner = 'new owner 2';
    two.settledAt = day(2);
  });
  await orm.em.fork().transactional(async em => {
    em.create(Ledger, { id: 4, owner: 'owner 4', amount: 400 });
    (await em.findOneOrFail(Ledger, 3)).note = 'ünïcode ✓';
    em.remove(await em.findOneOrFail(Ledger, 2));
  });
}

/** Two more transactions after the seal. */
export async function writeMoreHistory(orm: MikroORM, start = 10): Promise<void> {
  await orm.em.fork().transactional(async em => {
    (await em.findOneOrFail(Ledger, 1)).amount = start;
    em.create(Ledger, { id: start, owner: `owner ${start}`, amount: 1 });
  });
  await orm.em.fork().transactional(async em => {
    (await em.findOneOrFail(Ledger, 4)).owner = `owner 4 (${start})`;
  });
}

/** Empties the tables, writes the first history, seals it and writes more. */
export async function sealedHistory(orm: MikroORM): Promise<void> {
  await refreshSchema(orm);
  await writeFirstHistory(orm);
  await sealAuditTrail(orm, { key: KEY });
  await writeMoreHistory(orm);
}

export interface StoredRow {
  readonly id: number;
  readonly tx: string | null;
  readonly hash: string | null;
}

/** The audit rows as stored, in id order. */
export async function storedRows(dba: Dba): Promise<StoredRow[]> {
  const rows = await dba.query(`select _audit_id as id, _audit_transaction as tx, _audit_hash as hash from ${AUDIT_TABLE} order by _audit_id`);
  return rows.map(row => ({ id: Number(row.id), tx: (row.tx as string | null) ?? null, hash: (row.hash as string | null) ?? null }));
}

/** The sealed `to_id` of the newest seal. */
export async function sealedTo(dba: Dba): Promise<number> {
  const [row] = await dba.query(`select max(to_id) as t from audit_trail_seal where audit_table = ?`, [AUDIT_TABLE]);
  return Number(row!.t);
}

/** A row in the middle of a transaction's chain (it has rows before and after it), at or below `upTo`. */
export function middleOfChain(rows: readonly StoredRow[], upTo: number): StoredRow {
  const found = rows.find(row => {
    const chain = rows.filter(other => other.tx === row.tx);
    return row.id <= upTo && chain[0]!.id < row.id && chain[chain.length - 1]!.id > row.id && chain[chain.length - 1]!.id <= upTo;
  });
  if (!found) {
    throw new Error('the fixture has no transaction of three rows');
  }
  return found;
}

export type { EntityManager };
