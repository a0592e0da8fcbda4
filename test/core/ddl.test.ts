import { expect, it } from 'vitest';
import type { Ref } from '@mikro-orm/core';
import { AuditTrail, auditContext } from '../../src/index.js';
import { Entity, ManyToOne, OneToOne, PrimaryKey, Property, createSchemaSql, ormMajor } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
class Team {
  @PrimaryKey({ type: 'number' }) id!: number;
}

@Entity()
class Passport {
  @PrimaryKey({ type: 'number' }) id!: number;
}

@Entity()
@AuditTrail({
  trackFields: [
    { name: 'username', type: 'string', length: 30, value: () => auditContext.current()?.user ?? null },
    { name: 'approvedBy', entity: () => Team, value: null },
  ],
})
class Person {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string', length: 100 }) firstName!: string;
  @Property({ type: 'string', unique: true }) email!: string;
  @Property({ type: 'decimal', precision: 10, scale: 2, nullable: true }) salary?: string | null;
  @ManyToOne(() => Team, { ref: true, deleteRule: 'cascade' }) team!: Ref<Team>;
  @OneToOne(() => Passport, { owner: true, nullable: true }) passport?: Passport | null;
}

describeOnEachDatabase('audit table DDL', { file: import.meta.url, config: { entities: [Team, Passport, Person] } }, ctx => {
  async function auditDdl(): Promise<string> {
    const ddl = await createSchemaSql(ctx.t.orm);
    return ddl
      .split(/;\n/)
      .filter(statement => /person_audit/.test(statement))
      .join(';\n')
      .trim();
  }

  it('copies every column without constraints, indexes the key, relations and timestamp', async () => {
    const ddl = await auditDdl();
    expect(ddl).not.toMatch(/foreign key|references/i);
    expect(ddl).not.toMatch(/unique/i);
    expect(ddl).toMatch(/_audit_timestamp\W+(timestamptz\(3\)|datetime\(3\)|datetime) not null/);
    expect(ddl).toMatch(/_audit_actor\W+(varchar\(255\)|text) null/);
    for (const column of ['id', 'team_id', 'passport_id', 'approved_by_id', '_audit_timestamp', '_audit_actor']) {
      expect(ddl, column).toMatch(new RegExp(`(create|add) index [\`"]person_audit_${column}_index[\`"]`));
    }
    expect(ddl).toMatch(/[`"]salary[`"] (numeric|decimal)\(10,\s?2\) null/);
    if (ctx.db.name === 'mariadb') {
      expect(ddl).toMatch(/`id` int unsigned null/); // the copied key keeps its source column's type
    }
  });

  it('matches the stored DDL snapshot', async () => {
    await expect(await auditDdl()).toMatchFileSnapshot(`./__snapshots__/ddl.v${ormMajor}.${ctx.db.name}.sql`);
  });
});
