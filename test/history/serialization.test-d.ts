// The serialized forms of an audit row keep the audit columns in their types too, so a controller's response type
// states what its JSON holds (issue 12, point 5).
import { expectTypeOf, test } from 'vitest';
import { serialize, wrap } from '@mikro-orm/core';
import type { AuditRow, ChangeType } from '../../src/index.js';

class Invoice {
  id!: number;
  number!: string;
  issuedAt!: Date;
}

test('serialize() and toObject() of an audit row are typed with every audit column', () => {
  const row = {} as AuditRow<Invoice, { actor: string | null }>;
  const dto = serialize(row);
  expectTypeOf(dto._audit_id).toEqualTypeOf<number>();
  expectTypeOf(dto._audit_timestamp).toEqualTypeOf<Date>();
  expectTypeOf(dto._audit_change_type).toEqualTypeOf<ChangeType | undefined>();
  expectTypeOf(dto._audit_transaction).toEqualTypeOf<string | null>();
  expectTypeOf(dto._audit_reason).toEqualTypeOf<string | null>();
  expectTypeOf(dto.actor).toEqualTypeOf<string | null>();
  expectTypeOf(dto.number).toEqualTypeOf<string | null>();
  const object = wrap(row).toObject();
  expectTypeOf(object._audit_timestamp).toEqualTypeOf<Date>();
  expectTypeOf(object._audit_reason).toEqualTypeOf<string | null>();
});
