// The installed bin's verify (npm pack, a consumer project whose config turns tamper evidence on): exit 0 on
// sealed, untouched history; 1 naming the _audit_id a database administrator changed or deleted; 2 when seals
// exist and no key is given; --seal seals; the key from the environment or a file.
import { spawnSync } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroORM, type Options } from '@mikro-orm/core';
import { sealAuditTrail, withAuditTrail } from '../../src/index.js';
import { ormMajor } from '../packaging/consumerProjects.js';
import { DATABASES, dbNameFor, type TestDatabase } from '../support/databases.js';
import { refreshSchema } from '../support/mikro.js';
import { Membership, Person } from '../cli/support/entities.js';
import { seedHistory } from '../cli/support/seed.js';
import { binOf, installCliProjects } from '../cli/support/installedCli.js';
import { fileBackedConfig, openDba, type Dba } from './support/dba.js';
import { KEY } from './support/ledger.js';

const HEX_KEY = '5e'.repeat(32);
const NEW_HEX_KEY = 'a7'.repeat(32);
let root: string;

beforeAll(() => {
  root = installCliProjects();
  // The CommonJS consumer project, with tamper evidence on in its config.
  cpSync(join(root, 'cjs'), join(root, 'tamper'), { recursive: true });
  writeFileSync(
    join(root, 'tamper/mikro-orm.config.js'),
    `const { MySqlDriver } = require('@mikro-orm/mysql');\nconst { PostgreSqlDriver } = require('@mikro-orm/postgresql');\n` +
      `const { SqliteDriver } = require('@mikro-orm/sqlite');\nconst { withAuditTrail } = require('mikro-orm-audit-trail');\n` +
      `const { Membership, Person } = require('./entities.js');\nconst drivers = { sqlite: SqliteDriver, postgresql: PostgreSqlDriver, mariadb: MySqlDriver };\n` +
      `const { driver, ...connection } = JSON.parse(process.env.CLI_DB_CONFIG);\n` +
      `module.exports = withAuditTrail({ ...connection, driver: drivers[driver], entities: [Person, Membership] }, { tamperEvidence: true });\n`,
  );
  writeFileSync(join(root, 'tamper/seal.key'), `${HEX_KEY}\n`);
  writeFileSync(join(root, 'tamper/new.key'), `${NEW_HEX_KEY}\n`);
}, 900_000);

describe.each(DATABASES.filter(db => db.available))(`the installed bin's verify (MikroORM ${ormMajor}) on $name`, (db: TestDatabase) => {
  let orm: MikroORM;
  let dba: Dba;
  let env: Record<string, string>;
  const bin = (args: string[], extra: Record<string, string> = {}) => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(NO_COLOR|FORCE_COLOR|CI|MIKRO_ORM_.*|AUDIT_TRAIL_SEAL_KEY|AUDIT_TRAIL_RETIRED_SEAL_KEYS)$/.test(name)));
    const run = spawnSync(binOf(root), args, { cwd: join(root, 'tamper'), encoding: 'utf8', env: { ...inherited, ...env, ...extra }, timeout: 120_000 });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };

  beforeAll(async () => {
    const config = { ...fileBackedConfig(db, `${dbNameFor(import.meta.url)}_v${ormMajor}`), entities: [Person, Membership], allowGlobalContext: true } as Options;
    orm = await MikroORM.init(withAuditTrail(config, { tamperEvidence: true }));
    await refreshSchema(orm);
    await seedHistory(orm);
    await sealAuditTrail(orm, { key: KEY });
    dba = await openDba(db, config);
    const connection = Object.fromEntries(Object.entries(config).filter(([key]) => !['driver', 'entities', 'allowGlobalContext'].includes(key)));
    env = { CLI_DB_CONFIG: JSON.stringify({ ...connection, driver: db.name }) };
  }, 120_000);

  afterAll(async () => {
    await dba?.close();
    await orm?.close(true);
  });

  it('exit 0 on untouched history with the key from a file or the environment; 2 without a key', () => {
    const fromFile = bin(['verify', '--key-file', 'seal.key']);
    expect(fromFile.status, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toMatch(/cli_person_audit \(Person\): \d+ rows, 0 prune records, 1 seal up to _audit_id \d+\n/);
    expect(fromFile.stdout).toMatch(/no findings\n$/);
    expect(bin(['verify'], { AUDIT_TRAIL_SEAL_KEY: HEX_KEY }).status).toBe(0);
    const noKey = bin(['verify']);
    expect(noKey.status).toBe(2);
    expect(noKey.stderr).toMatch(/Set AUDIT_TRAIL_SEAL_KEY or pass --key-file <path>/);
  });

  it('--seal seals what was written since the last seal', async () => {
    await orm.em.fork().insert(Person, { id: 3, name: 'Grace' });
    const sealing = bin(['verify', '--seal', '--key-file', 'seal.key']);
    expect(sealing.status, sealing.stderr).toBe(0);
    expect(sealing.stdout).toMatch(/sealed cli_person_audit: 1 new row in 1 seal, up to _audit_id \d+\n/);
    expect(bin(['verify', '--key-file', 'seal.key']).stdout).toMatch(/cli_person_audit \(Person\): \d+ rows, 0 prune records, 2 seals/);
  });

  it('a key rotation: --retired-key-file checks the old seals and --seal seals with the new key; the new key alone exits 1', async () => {
    await orm.em.fork().insert(Person, { id: 4, name: 'Ada' });
    const rotated = bin(['verify', '--seal', '--key-file', 'new.key', '--retired-key-file', 'seal.key']);
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/sealed cli_person_audit: 1 new row in 1 seal, up to _audit_id \d+\n/);
    expect(bin(['verify', '--key-file', 'new.key'], { AUDIT_TRAIL_RETIRED_SEAL_KEYS: HEX_KEY }).status).toBe(0);
    const alone = bin(['verify', '--key-file', 'new.key']);
    expect(alone.status).toBe(1);
    expect(alone.stdout).toMatch(/forged-seal cli_person_audit _audit_id .*it names key id [0-9a-f]{16}, and verify was given key id [0-9a-f]{16} \(current\)/);
  });

  it('exit 1 naming the _audit_id of a changed and of a deleted row, in JSON; --seal then seals nothing', async () => {
    const rows = await dba.query('select _audit_id as id from cli_person_audit order by _audit_id');
    const [changed, deleted] = [Number(rows[0]!.id), Number(rows[1]!.id)];
    await dba.query(`update cli_person_audit set name = 'Mallory' where _audit_id = ?`, [changed]);
    await dba.query(`delete from cli_person_audit where _audit_id = ?`, [deleted]);
    const run = bin(['verify', '--json', '--seal', '--key-file', 'new.key', '--retired-key-file', 'seal.key']);
    expect(run.status, run.stderr).toBe(1);
    const findings = (JSON.parse(run.stdout) as { findings: { kind: string; auditId: string; table: string }[] }).findings;
    expect(findings.map(f => [f.table, f.kind, Number(f.auditId)])).toEqual([
      ['cli_person_audit', 'changed', changed],
      ['cli_person_audit', 'removed', deleted],
    ]);
    expect(run.stderr).toContain('not sealed');
  });
});
