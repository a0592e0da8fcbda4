// Review of issue 12: hostile and boundary actor values on every database, default and numeric actor columns.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroORM, type Options } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditOf, withAuditTrail } from '../../src/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { sessionSettings } from '../support/sessionSettings.js';

@Entity()
@AuditTrail()
class RvTicket {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) title!: string;
}
const RvTicketAudit = auditOf(RvTicket);

for (const db of DATABASES) {
  for (const variant of db.name === 'mariadb' ? ['', "set session sql_mode = 'NO_BACKSLASH_ESCAPES,ANSI_QUOTES'"] : ['']) {
    describe.skipIf(!db.available)(`hostile actors on ${db.name} ${variant ? '(non-strict, NO_BACKSLASH_ESCAPES, ANSI_QUOTES)' : ''}`, () => {
      let str: MikroORM;
      let num: MikroORM;
      let next = 1;
      beforeAll(async () => {
        const base = (suffix: string) =>
          ({ ...db.config(`${dbNameFor(import.meta.url)}_${suffix}${variant ? 'v' : ''}`), ...sessionSettings(variant ? [variant] : []), entities: [RvTicket], allowGlobalContext: true }) as Options;
        str = await MikroORM.init(withAuditTrail(base('s')));
        await refreshSchema(str);
        num = await MikroORM.init(withAuditTrail(base('n'), { actor: { type: 'number' } }));
        await refreshSchema(num);
      });
      afterAll(async () => {
        await str?.close(true);
        await num?.close(true);
      });

      async function write(orm: MikroORM, user: unknown): Promise<unknown> {
        const em = orm.em.fork();
        const id = next++;
        em.create(RvTicket, { id, title: 't' });
        await auditContext.run({ user: user as string }, () => em.flush());
        const [row] = await orm.em.fork().find(RvTicketAudit, { id } as never);
        return row?._audit_actor;
      }

      it('stores 255 characters of any width whole, and refuses 256 before writing, naming entity and fix', async () => {
        for (const user of ['😀'.repeat(255), 'é'.repeat(255), "'\\".repeat(127) + '"', `*/${'x'.repeat(253)}`]) {
          expect(await write(str, user)).toBe(user);
        }
        const before = await str.em.fork().count(RvTicket, {});
        const error = await write(str, 'a'.repeat(256)).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'AUDIT_INVALID_ACTOR' });
        expect((error as Error).message).toMatch(/RvTicket[^]*255[^]*actor: \{ length/);
        expect(await str.em.fork().count(RvTicket, {})).toBe(before);
        await expect(write(str, '😀'.repeat(10_000))).rejects.toMatchObject({ code: 'AUDIT_INVALID_ACTOR' });
      });

      it('numeric actor: stores the largest safe integers exactly and refuses beyond 2^53 before writing', async () => {
        expect(await write(num, Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
        expect(await write(num, '-9007199254740991')).toBe(-9007199254740991);
        for (const user of ['9007199254740993', 2 ** 53, '1e3', '12 ', "1' or '1'='1", 1.5]) {
          await expect(write(num, user)).rejects.toMatchObject({ code: 'AUDIT_INVALID_ACTOR' });
        }
      });
    });
  }
}
