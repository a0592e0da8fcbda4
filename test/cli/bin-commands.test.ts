// The read commands through the installed bin, on each database (SQLite from the CommonJS project, PostgreSQL
// from the TypeScript one, MariaDB from the ESM one): output, exit codes, JSON, colors only where they belong
// (NO_COLOR, FORCE_COLOR, pipes, a terminal), an export cut short by `| head`, and a schema finding (exit 1).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ormMajor } from '../packaging/consumerProjects.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { cliDatabase, type CliDatabase } from './support/cliDatabase.js';
import { installCliProjects, runBin, runShell, type CliProject } from './support/installedCli.js';
import { HOSTILE_NAME } from './support/seed.js';

const ESC = '\u001b';
const MEMBERSHIPS = 3000;
const PROJECTS: Record<string, CliProject> = { sqlite: 'cjs', postgresql: 'ts', mariadb: 'esm' };
// MikroORM 6's CLI warns "ts-node not installed" in JavaScript projects; nothing else may reach stderr.
const quiet = (stderr: string) => stderr.split('\n').filter(line => line !== '' && !line.startsWith('ts-node not installed'));

let root: string;
const databases = new Map<string, CliDatabase>();

beforeAll(async () => {
  root = installCliProjects();
  const name = `${dbNameFor(import.meta.url)}_v${ormMajor}`;
  for (const db of DATABASES) {
    databases.set(db.name, await cliDatabase(db, name, MEMBERSHIPS));
  }
}, 900_000);

for (const { name } of DATABASES) {
  describe(`the installed bin's read commands on ${name} (MikroORM ${ormMajor})`, () => {
    const project = PROJECTS[name]!;
    const bin = (args: string[], env: Record<string, string> = {}) => runBin(root, project, args, { ...databases.get(name)!.env, ...env });
    const seeded = () => databases.get(name)!.seeded;

    it('status: a plain table when piped, JSON with --json, exit 0', () => {
      const table = bin(['status']);
      expect({ status: table.status, stderr: quiet(table.stderr) }).toEqual({ status: 0, stderr: [] });
      expect(table.stdout).not.toContain(ESC);
      expect(table.stdout).toMatch(new RegExp(`│ Membership\\s+│ cli_membership_audit\\s+│ ${MEMBERSHIPS + 1}\\s+│`));
      const { entities } = JSON.parse(bin(['status', '--json']).stdout) as { entities: { entity: string; rows: number; newest: string; schema: string }[] };
      expect(entities.map(({ entity, rows, schema }) => ({ entity, rows, schema }))).toEqual([
        { entity: 'Membership', rows: MEMBERSHIPS + 1, schema: 'ok' },
        { entity: 'Person', rows: 5, schema: 'ok' },
      ]);
      expect(entities[1]!.newest).toBe(seeded().T3.toISOString());
    });

    it('history and as-of: tables, JSON, exit 1 when there is nothing, 2 for a wrong entity', () => {
      const history = bin(['history', 'Person', '2', '--json']);
      expect(history.status).toBe(0);
      expect((JSON.parse(history.stdout) as { versions: { name: string }[] }).versions.map(v => v.name)).toEqual(['Alan', HOSTILE_NAME, HOSTILE_NAME]);
      const table = bin(['history', 'Person', '2', '--diffs']);
      expect(table.stdout).not.toContain(ESC);
      expect(table.stdout).toContain('name: Alan → Eve\\x1b[2J');
      expect(bin(['history', 'Person', '3'])).toMatchObject({ status: 1, stdout: '' });
      const asOf = bin(['as-of', 'Membership', '[1,1]', seeded().T3.toISOString(), '--json']);
      expect(JSON.parse(asOf.stdout)).toMatchObject({ entity: 'Membership', state: { team: 1, person: 1, role: 'owner' } });
      expect(bin(['as-of', 'Person', '2', seeded().T3.toISOString()]).status).toBe(1);
      const wrong = bin(['history', 'Persons', '1']);
      expect(wrong.status).toBe(2);
      expect(quiet(wrong.stderr)).toEqual(["error: 'Persons' is not an audited entity. Audited entities: Membership, Person."]);
    });

    it('colors only when forced, never with NO_COLOR', () => {
      expect(bin(['status'], { FORCE_COLOR: '1' }).stdout).toContain(`${ESC}[1mentity${ESC}[22m`);
      expect(bin(['status'], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toContain(ESC);
      const error = bin(['history', 'Persons', '1'], { FORCE_COLOR: '1' });
      expect(error.stderr).toContain(`${ESC}[31m`);
      expect(bin(['history', 'Persons', '1'], { FORCE_COLOR: '1', NO_COLOR: '1' }).stderr).not.toContain(ESC);
    });

    it('export: JSON lines or CSV of every version, to stdout or a file', () => {
      const jsonl = bin(['export', 'Membership', '--format', 'jsonl']);
      expect(jsonl.status).toBe(0);
      const lines = jsonl.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(MEMBERSHIPS + 1);
      expect(JSON.parse(lines.at(-1)!)).toMatchObject({ team: 2, person: MEMBERSHIPS, _audit_actor: 'loader', _audit_change_type: 'I' });
      const file = join(root, project, 'people.csv');
      const csv = bin(['export', 'Person', '--format', 'csv', '--output', 'people.csv', '--until', seeded().T3.toISOString()]);
      expect({ status: csv.status, stdout: csv.stdout, stderr: quiet(csv.stderr) }).toEqual({ status: 0, stdout: '', stderr: ['Exported 4 versions of Person to people.csv.'] });
      expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('_audit_id,_audit_timestamp,_audit_change_type,_audit_actor,_audit_reason,_audit_transaction,id,name,email,age');
    });

    it('export stops quietly when the reader goes away (| head): exit 0, no EPIPE', () => {
      const run = runShell(root, project, '"$BIN" export Membership --format jsonl | head -n 3; echo "exit=${PIPESTATUS[0]}" >&2', databases.get(name)!.env);
      expect(run.stdout.trimEnd().split('\n')).toHaveLength(3);
      expect(quiet(run.stderr)).toEqual(['exit=0']);
    });

    it('status exits 1 and names the problem when an audit table differs from its entity', async () => {
      await databases.get(name)!.sql('alter table cli_person_audit drop column age');
      const run = bin(['status']);
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/│ Person\s+│ cli_person_audit\s+│ 5\s+│.*│ 1 problem │/);
      expect(run.stdout).toMatch(/✗ cli_person_audit: column age is missing \(expected \w+/);
      // MikroORM's own warning of the schema check: on stderr, uncolored in a pipe.
      expect(run.stderr).toContain('Audit tables in the database do not match their audited entities: cli_person_audit.age is missing');
      expect(run.stderr).not.toContain(ESC);
      const json = JSON.parse(bin(['status', '--json']).stdout) as { entities: { entity: string; schema: string; problems: string[] }[] };
      expect(json.entities.map(({ entity, schema, problems }) => ({ entity, schema, problems: problems.length }))).toEqual([
        { entity: 'Membership', schema: 'ok', problems: 0 },
        { entity: 'Person', schema: 'differs', problems: 1 },
      ]);
    });
  });
}

describe('in a terminal', () => {
  it('colors the table, unless NO_COLOR is set', () => {
    const env = databases.get('sqlite')!.env;
    const colored = runShell(root, 'cjs', 'script -qec "$BIN status" /dev/null', env);
    expect(colored.stdout).toContain(`${ESC}[1mentity${ESC}[22m`);
    const plain = runShell(root, 'cjs', 'script -qec "$BIN status" /dev/null', { ...env, NO_COLOR: '1' });
    expect(plain.stdout).toContain('entity');
    expect(plain.stdout).not.toContain(`${ESC}[1m`);
  });
});
