// The audited entities the CLI tests read: the same tables as the consumer projects' entities
// (test/cli/fixtures), so that history written here is what the installed bin reads there.
import { EntitySchema } from '@mikro-orm/core';
import { auditTrail } from '../../../src/index.js';

export interface Person {
  id: number;
  name: string;
  email?: string | null;
  age?: number | null;
}

export interface Membership {
  team: number;
  person: number;
  role: string;
}

export const Person = auditTrail(
  new EntitySchema<Person>({
    name: 'Person',
    tableName: 'cli_person',
    properties: {
      id: { type: 'number', primary: true },
      name: { type: 'string', length: 200 },
      email: { type: 'string', length: 200, nullable: true },
      age: { type: 'number', nullable: true },
    },
  }),
);

export const Membership = auditTrail(
  new EntitySchema<Membership>({
    name: 'Membership',
    tableName: 'cli_membership',
    properties: {
      team: { type: 'number', primary: true },
      person: { type: 'number', primary: true },
      role: { type: 'string', length: 50 },
    },
  }),
);
