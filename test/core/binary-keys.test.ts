// Keys the database returns are matched to the keys of the write by value: distinct binary keys must stay
// distinct (bytes that are not UTF-8 once all decoded to U+FFFD, so one row's masked value went to another).
import { expect, it } from 'vitest';
import { BlobType, type EntityProperty, type Platform } from '@mikro-orm/core';
import { AuditTrail, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

/** Bytes as a key: MariaDB cannot index a BLOB without a length, so a VARBINARY there. */
class BinaryKey extends BlobType {
  override getColumnType(prop: EntityProperty, platform: Platform): string {
    return platform.constructor.name.startsWith('MySql') ? 'varbinary(16)' : super.getColumnType(prop, platform);
  }
}

@Entity()
@AuditTrail({ mask: { secret: (value: unknown) => `***${String(value).slice(-2)}` } })
class Token {
  @PrimaryKey({ type: BinaryKey }) id!: Buffer;
  @Property({ type: 'string' }) secret!: string;
}

const TokenAudit = auditOf(Token);

describeOnEachDatabase('binary keys', { file: import.meta.url, config: { entities: [Token] } }, ctx => {
  it('masks each row with its own value when binary keys are not UTF-8', async () => {
    await refreshSchema(ctx.t.orm);
    const ids = [Buffer.from([0xff]), Buffer.from([0xfe]), Buffer.from([0x80, 0x81])];
    await ctx.t.orm.em.fork().insertMany(Token, ids.map((id, i) => ({ id, secret: `secret-${i}0` })));
    const rows = await ctx.t.orm.em.fork().find(TokenAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(row => [Buffer.from(row.id as Buffer).toString('hex'), row.secret])).toEqual([
      ['ff', '***00'],
      ['fe', '***10'],
      ['8081', '***20'],
    ]);
  });
});
