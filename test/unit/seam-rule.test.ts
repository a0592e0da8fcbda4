// The seam rule of eslint.seam.js, applied as CI applies it: each kind of reach into MikroORM's internals is
// reported outside src/mikro-orm/ and allowed inside it.
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { seamRules } from '../../eslint.seam.js';

const linter = new ESLint({
  cwd: process.cwd(),
  overrideConfigFile: true,
  overrideConfig: [
    { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
    { files: ['src/**/*.ts'], ignores: ['src/mikro-orm/**'], rules: seamRules },
  ],
});

const VIOLATIONS: Record<string, string> = {
  'a private symbol': "const parent = Object.getOwnPropertySymbols(trx).find(s => s.description === 'parentTransaction');",
  'a prototype swap': 'Object.setPrototypeOf(qb, Audited.prototype);',
  'a prototype': 'const base = SqlEntityManager.prototype;',
  "the entity's internal helper": "import { wrap } from '@mikro-orm/core';\nwrap(entity, true).getPrimaryKeys();",
  'an @internal method': 'collection.getSnapshot();',
  'the ORM version': 'Utils.getORMVersion();',
  'the driver behind the ORM': 'driver.nativeInsertMany(name, rows, {});',
  'a class name': "if (platform.constructor.name === 'PostgreSqlPlatform') {}",
  'the static metadata storage': 'MetadataStorage.getMetadata();',
  "MikroORM 6's SQL package": "import { SqlEntityManager } from '@mikro-orm/knex';",
  "MikroORM 7's SQL package": "import { SqlEntityManager } from '@mikro-orm/sql';",
  'a module loaded by hand': "import { createRequire } from 'node:module';",
  'a module loaded at run time': "await import('@mikro-orm/migrations');",
  'metadata triggers': 'meta.triggers.push(trigger);',
  "a class in MikroORM's config": "config.set('entityManager', Audited);",
  "the serializer's accessor rule": 'prop.accessor = prop.name;',
  "MikroORM's class-to-schema registry": 'EntitySchema.REGISTRY.get(cls);',
};

const lint = async (code: string, filePath: string) => (await linter.lintText(code, { filePath }))[0]!.messages.map(message => message.message);

describe('the seam rule', () => {
  it.each(Object.entries(VIOLATIONS))('reports %s outside src/mikro-orm/', async (_what, code) => {
    const messages = await lint(code, 'src/write/violation.ts');
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.join('\n')).toMatch(/src\/mikro-orm\//);
  });

  it.each(Object.entries(VIOLATIONS))('allows %s inside src/mikro-orm/', async (_what, code) => {
    expect(await lint(code, 'src/mikro-orm/allowed.ts')).toEqual([]);
  });

  it('leaves public MikroORM API alone', async () => {
    const code = "import { wrap, Reference } from '@mikro-orm/core';\nwrap(entity).toObject();\nReference.unwrapReference(ref);\nFunction.prototype.call;";
    expect(await lint(code, 'src/read/fine.ts')).toEqual([]);
  });
});
