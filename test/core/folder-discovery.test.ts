// An `EntitySchema` marked with auditTrail() and found by folder discovery (`entities: ['…/*.js']`) without its
// auditOf() ran with no audit table and no warning, where a decorated class was refused. MikroORM imports entity
// files itself, so the application runs in a child process (tsx) in which the entity files and the setup load
// the library from one module, as they do in an application.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { projectRoot } from '../support/migrationProject.js';

const library = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
const folders: string[] = [];

const country = (withAudit: boolean) => `
import { EntitySchema } from '@mikro-orm/core';
import { auditOf, auditTrail } from ${JSON.stringify(library)};
export const Country = auditTrail(new EntitySchema({
  name: 'Country',
  properties: { id: { type: 'number', primary: true }, name: { type: 'string' } },
}));
${withAudit ? 'export const CountryAudit = auditOf(Country);' : ''}
`;

const app = (entities: string) => `
import { MikroORM } from '@mikro-orm/core';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { withAuditTrail } from ${JSON.stringify(library)};
let orm;
try {
  orm = await MikroORM.init(withAuditTrail({ driver: SqliteDriver, dbName: ':memory:', entities: [${JSON.stringify(entities)}] }));
  // MikroORM 6 names it createSchema(), 7 create().
  await (orm.schema.create ? orm.schema.create() : orm.schema.createSchema());
  const em = orm.em.fork();
  em.create('Country', { id: 1, name: 'Chile' });
  await em.flush();
  const rows = await orm.em.getConnection().execute('select id, name, _audit_change_type from country_audit');
  console.log(JSON.stringify({ rows }));
} catch (error) {
  console.log(JSON.stringify({ code: error.code, message: error.message }));
} finally {
  await orm?.close(true);
}
`;

/** Writes the entity file and the application into a fresh folder, runs it, and returns what it printed. */
function run(withAudit: boolean): { rows?: unknown[]; code?: string; message?: string } {
  const folder = mkdtempSync(join(projectRoot(), 'discovery-'));
  folders.push(folder);
  mkdirSync(join(folder, 'entities'));
  writeFileSync(join(folder, 'entities', 'Country.js'), country(withAudit));
  writeFileSync(join(folder, 'app.mjs'), app(join(folder, 'entities', '*.js')));
  const output = execFileSync(process.execPath, ['--import', 'tsx', join(folder, 'app.mjs')], { cwd: folder, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(output.trim().split('\n').at(-1)!) as { rows?: unknown[]; code?: string; message?: string };
}

afterAll(() => {
  folders.forEach(folder => rmSync(folder, { recursive: true, force: true }));
});

it('refuses to start when a marked EntitySchema found in a folder has no audit entity, naming it and the fix', () => {
  const result = run(false);
  expect(result.code).toBe('AUDIT_AUDIT_SCHEMA_MISSING');
  expect(result.message).toMatch(/^Country is marked with auditTrail\(\) but its audit entity is not in the config\./);
  expect(result.message).toMatch(/export auditOf\(Country\) from a discovered file/);
});

it('audits a marked EntitySchema found in a folder next to its auditOf()', () => {
  expect(run(true)).toEqual({ rows: [{ id: 1, name: 'Chile', _audit_change_type: 'I' }] });
});
