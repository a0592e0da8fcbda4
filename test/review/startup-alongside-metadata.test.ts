// Review of addProperties (one sync() per entity instead of addProperty() per column): the audit entities'
// metadata and DDL must be what the previous release (3b0b5e2, addProperty per column) produced, for entity
// shapes beyond the unit test's: decorators with an inherited base, embeddables, relations, a many-to-many pivot
// audit, track fields (scalar and entity) and the actor column. RV_OLD_SRC=<folder with 3b0b5e2's src> runs the
// same against the old code; both write RV_OUT (default /tmp/rv12-meta-<new|old>.json) for comparison, and when
// both files exist the new run compares them. The old src: `mkdir .rv-old && git archive 3b0b5e2 src | tar -x -C .rv-old`,
// then `RV_OLD_SRC=$PWD/.rv-old/src npx vitest run test/review/startup-alongside-metadata.test.ts` before the plain run.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Collection, MikroORM, type EntityMetadata, type Options } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import type * as LibraryModule from '../../src/index.js';
import { Embeddable, Embedded, Entity, ManyToMany, ManyToOne, PrimaryKey, Property } from '../support/mikro.js';

const oldSrc = process.env.RV_OLD_SRC;
type Lib = typeof LibraryModule;

async function build() {
  const lib = (await import(/* @vite-ignore */ oldSrc ? `${oldSrc}/index.ts` : '../../src/index.js')) as Lib;
  const { AuditTrail } = lib;
  @Entity()
  class RvmUser {
    @PrimaryKey({ type: 'number' }) id!: number;
    @Property({ type: 'string' }) name!: string;
  }

  @Embeddable()
  class RvmAddress {
    @Property({ type: 'string' }) street!: string;
    @Property({ type: 'string', nullable: true }) city?: string;
  }

  @Entity()
  class RvmTag {
    @PrimaryKey({ type: 'number' }) id!: number;
    @Property({ type: 'string' }) label!: string;
  }

  abstract class RvmBase {
    @PrimaryKey({ type: 'number' }) id!: number;
    @Property({ type: 'Date', nullable: true }) createdAt?: Date;
  }

  @Entity()
  @AuditTrail({
    trackFields: [
      { name: 'editor', entity: () => RvmUser, value: () => null },
      { name: 'ip', type: 'string', length: 45, value: () => null },
    ],
  })
  class RvmOrder extends RvmBase {
    @Property({ type: 'string', length: 30 }) code!: string;
    @Embedded(() => RvmAddress) address!: RvmAddress;
    @ManyToOne(() => RvmUser, { nullable: true }) buyer?: RvmUser;
    @ManyToMany(() => RvmTag) tags = new Collection<RvmTag>(this);
    @Property({ type: 'json', nullable: true }) extra?: unknown;
    @Property({ type: 'number', version: true }) version!: number;
  }
  return { lib, RvmOrder, RvmUser, RvmTag, RvmAddress, RvmBase };
}

function shape(orm: MikroORM) {
  const all = orm.getMetadata().getAll() as unknown as Map<unknown, EntityMetadata> | Record<string, EntityMetadata>;
  const metas = (all instanceof Map ? [...all.values()] : Object.values(all)).filter(meta => /audit|pending/i.test(`${meta.className} ${meta.tableName}`));
  return Object.fromEntries(
    metas
      .sort((a, b) => a.className.localeCompare(b.className))
      .map(meta => [
        meta.className,
        {
          props: meta.props.map(prop => prop.name),
          order: [...meta.propertyOrder.entries()].sort(([, a], [, b]) => a - b),
          relations: meta.relations.map(prop => prop.name),
          hydrate: meta.hydrateProps.map(prop => prop.name),
          comparable: meta.comparableProps.map(prop => prop.name),
          columns: meta.props.flatMap(prop => prop.fieldNames ?? []),
        },
      ]),
  );
}

it('audit metadata and DDL are those of addProperty per column', async () => {
  const { lib, RvmOrder, RvmUser, RvmTag, RvmAddress, RvmBase } = await build();
  const { withAuditTrail, auditOf, auditOfCollection } = lib;
  const result: Record<string, unknown> = {};
  for (const [name, options] of [
    ['sqlite', { driver: SqliteDriver, dbName: ':memory:' }],
    ['postgresql', { driver: PostgreSqlDriver, dbName: 'rv_never', host: '127.0.0.1', port: 1, connect: false }],
  ] as const) {
    const orm = await MikroORM.init(
      withAuditTrail({ ...options, entities: [RvmOrder, RvmUser, RvmTag, RvmAddress, RvmBase], ...(name === 'postgresql' && { ensureDatabase: false }) } as Options, {
        actor: { type: 'number' },
      } as never),
    );
    const ddl = await (orm.schema as unknown as { getCreateSchemaSQL(o: object): Promise<string> }).getCreateSchemaSQL({ wrap: false });
    result[name] = { meta: shape(orm), ddl: ddl.split('\n').filter(line => /audit|pending/i.test(line)) };
    expect(auditOf(RvmOrder)).toBeDefined();
    expect(auditOfCollection(RvmOrder, 'tags')).toBeDefined();
    await orm.close(true);
  }
  const out = process.env.RV_OUT ?? `/tmp/rv12-meta-${oldSrc ? 'old' : 'new'}.json`;
  writeFileSync(out, JSON.stringify(result, null, 2));
  const old = '/tmp/rv12-meta-old.json';
  if (!oldSrc && existsSync(old)) {
    expect(result).toEqual(JSON.parse(readFileSync(old, 'utf8')));
  }
});
