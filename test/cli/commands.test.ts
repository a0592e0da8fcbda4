// The read commands run in this process on each database (the installed bin is tested in bin-*.test.ts):
// their tables and JSON, exit codes, entity and key errors, and history values that try to drive the terminal.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { auditContext } from '../../src/index.js';
import { Membership, Person } from './support/entities.js';
import { runInProcess } from './support/captureIo.js';
import { FORMULA, HOSTILE_NAME, seedHistory, type SeededHistory } from './support/seed.js';
import { refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

const ESC = '\u001b';

describeOnEachDatabase('CLI read commands', { file: import.meta.url, config: { entities: [Person, Membership] } }, ctx => {
  let seeded: SeededHistory;
  const cli = (...argv: string[]) => runInProcess(ctx.t.orm, argv);

  beforeAll(async () => {
    await refreshSchema(ctx.t.orm);
    seeded = await seedHistory(ctx.t.orm);
  });

  it('status: one row per audited entity with its versions, oldest and newest, size and schema check', async () => {
    const { status, stdout, stderr } = await cli('status', '--json');
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    const { entities } = JSON.parse(stdout) as { entities: Record<string, unknown>[] };
    expect(entities.map(({ entity, auditTable, rows, problems, schema }) => ({ entity, auditTable, rows, problems, schema }))).toEqual([
      { entity: 'Membership', auditTable: 'cli_membership_audit', rows: 1, problems: [], schema: 'ok' },
      { entity: 'Person', auditTable: 'cli_person_audit', rows: 5, problems: [], schema: 'ok' },
    ]);
    const person = entities[1]!;
    expect(person.oldest).toBe(seeded.T1.toISOString());
    expect(person.newest).toBe(seeded.T3.toISOString());
    if (ctx.db.name === 'sqlite') {
      // dbstat is in the SQLite build or not: a size, or none.
      expect(person.sizeBytes === null || (person.sizeBytes as number) > 0).toBe(true);
    } else {
      expect(person.sizeBytes).toBeGreaterThan(0);
    }
    const table = await cli('status');
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/│ Person\s+│ cli_person_audit\s+│ 5\s+│/);
    expect(table.stdout).toContain(seeded.T3.toISOString());
    expect(table.stdout).not.toContain(ESC);
  });

  it('history: the versions of a row oldest first, whole rows or what changed, as a table or JSON', async () => {
    const json = await cli('history', 'Person', '1', '--json');
    expect(json.status).toBe(0);
    const { versions } = JSON.parse(json.stdout) as { versions: Record<string, unknown>[] };
    expect(versions.map(v => [v._audit_change_type, v._audit_actor, v._audit_reason, v.email, v.age])).toEqual([
      ['I', 'alice', 'sign-up', 'ada@example.com', 36],
      ['U', 'bob', 'fix', 'ada.lovelace@example.com', 37],
    ]);
    expect(versions[0]!._audit_timestamp).toBe(seeded.T1.toISOString());
    const diffs = await cli('history', 'Person', '1', '--diffs', '--json');
    expect((JSON.parse(diffs.stdout) as { versions: { changes: object }[] }).versions.map(v => v.changes)).toEqual([
      { id: { from: null, to: 1 }, name: { from: null, to: 'Ada' }, email: { from: null, to: 'ada@example.com' }, age: { from: null, to: 36 } },
      { email: { from: 'ada@example.com', to: 'ada.lovelace@example.com' }, age: { from: 36, to: 37 } },
    ]);
    const table = await cli('history', 'Person', '1', '--diffs');
    expect(table.stdout).toMatch(/│ U\s+│ bob\s+│ fix\s+│ email: ada@example.com → ada.lovelace@example.com/);
    expect(table.stdout).toMatch(/│\s+│ age: 36 → 37/);
    const whole = await cli('history', 'Person', '1');
    expect(whole.stdout).toMatch(/│ version\s+│ timestamp\s+│ change\s+│ actor\s+│ reason\s+│ id\s+│ name\s+│ email\s+│ age\s+│/);
  });

  it('history of a deleted row, and of a composite key given as a JSON array', async () => {
    expect((await cli('history', 'Person', '2', '--diffs')).stdout).toMatch(/│ D\s+│ alice\s+│ left\s+│ \(deleted\)\s+│/);
    const deleted = await cli('history', 'Person', '2', '--json');
    expect((JSON.parse(deleted.stdout) as { versions: { _audit_change_type: string }[] }).versions.map(v => v._audit_change_type)).toEqual(['I', 'U', 'D']);
    const composite = await cli('history', 'Membership', '[1, 1]', '--json');
    expect(composite.status).toBe(0);
    expect(JSON.parse(composite.stdout)).toMatchObject({ entity: 'Membership', id: '[1, 1]', versions: [{ team: 1, person: 1, role: 'owner' }] });
  });

  it('history exits 1 for a row without history, 2 naming the fix for a wrong entity or key', async () => {
    expect(await cli('history', 'Person', '99')).toEqual({ status: 1, stdout: '', stderr: 'No history of Person 99.\n' });
    const lower = await cli('history', 'person', '1');
    expect(lower.status).toBe(2);
    expect(lower.stderr).toBe("error: 'person' is not an audited entity (names are case-sensitive: did you mean 'Person'?). Audited entities: Membership, Person.\n");
    const badKey = await cli('history', 'Person', 'abc');
    expect(badKey).toMatchObject({ status: 2, stdout: '' });
    expect(badKey.stderr).toBe('error: <id> of Person must be a number (id), got "abc".\n');
    const badComposite = await cli('history', 'Membership', '1');
    expect(badComposite.stderr).toBe(`error: <id> of Membership must be a JSON array of 2 values (Membership's key: team, person), got "1".\n`);
    expect((await cli('history', 'Person')).stderr).toBe("error: missing required argument 'id'. See npx mikro-orm-audit-trail history --help.\n");
  });

  it('shows hostile history values inert in tables (escaped), and exact in JSON', async () => {
    for (const argv of [['history', 'Person', '2'], ['history', 'Person', '2', '--diffs'], ['as-of', 'Person', '2', seeded.T2.toISOString()]]) {
      const { stdout, status } = await cli(...argv);
      expect(status).toBe(0);
      expect(stdout).not.toContain(ESC);
      expect(stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
      expect(stdout).toContain('Eve\\x1b[2J\\x1b]8;;http://evil.example/\\x07click\\x1b]8;;\\x07\\roverwritten\\u202eevil');
    }
    const json = await cli('history', 'Person', '2', '--json');
    expect(json.stdout).not.toContain(ESC);
    const { versions } = JSON.parse(json.stdout) as { versions: { name: string; email: string | null }[] };
    expect(versions[1]).toMatchObject({ name: HOSTILE_NAME, email: FORMULA });
  });

  it('as-of: the row at an instant; exit 1 before it existed and after it was deleted', async () => {
    const at = async (id: string, instant: Date | string) => cli('as-of', 'Person', id, typeof instant === 'string' ? instant : instant.toISOString(), '--json');
    const ada = await at('1', seeded.T1);
    expect(ada.status).toBe(0);
    expect(JSON.parse(ada.stdout)).toMatchObject({ entity: 'Person', id: '1', at: seeded.T1.toISOString(), state: { id: 1, email: 'ada@example.com', age: 36, _audit_actor: 'alice' } });
    expect(JSON.parse((await at('1', seeded.T3)).stdout).state).toMatchObject({ email: 'ada.lovelace@example.com', age: 37 });
    const before = await at('1', new Date(seeded.T1.getTime() - 1));
    expect(before.status).toBe(1);
    expect(JSON.parse(before.stdout)).toMatchObject({ state: null });
    expect((await at('2', seeded.T3)).status).toBe(1);
    const table = await cli('as-of', 'Person', '2', seeded.T3.toISOString());
    expect(table).toEqual({ status: 1, stdout: '', stderr: `Person 2 did not exist at ${seeded.T3.toISOString()} (no version at or before it, or deleted).\n` });
    const record = await cli('as-of', 'Person', '1', seeded.T3.toISOString());
    expect(record.stdout).toMatch(/│ email\s+│ ada\.lovelace@example\.com\s+│/);
  });

  it('as-of refuses an instant without a time zone (exit 2), which would be read in the machine\'s own zone', async () => {
    const local = await cli('as-of', 'Person', '1', '2026-03-01T12:00:00');
    expect(local.status).toBe(2);
    expect(local.stderr).toContain('<instant> must be an ISO 8601 instant with a time zone, e.g. 2026-03-01T12:00:00Z, or a date (2026-03-01, UTC), got "2026-03-01T12:00:00".');
  });

  it('colors the table header only when asked (FORCE_COLOR or a terminal)', async () => {
    expect((await runInProcess(ctx.t.orm, ['status'], true)).stdout).toContain(`${ESC}[1mentity${ESC}[22m`);
    expect((await runInProcess(ctx.t.orm, ['status'], false)).stdout).not.toContain(ESC);
  });

  it('answers unknown commands and options with exit 2 and where to look', async () => {
    expect(await cli('histroy')).toEqual({ status: 2, stdout: '', stderr: "error: unknown command 'histroy'\n(Did you mean history?). See npx mikro-orm-audit-trail --help.\n" });
    expect(await cli('status', '--jsno')).toEqual({ status: 2, stdout: '', stderr: "error: unknown option '--jsno'\n(Did you mean --json?). See npx mikro-orm-audit-trail status --help.\n" });
    const help = await cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n\s+status .*\n\s+history \[options\] <entity> <id>/);
  });

  it('export: every version oldest first as JSON lines or CSV (formulas neutralised), within --since and --until', async () => {
    const jsonl = await cli('export', 'Person', '--format', 'jsonl');
    expect(jsonl.status).toBe(0);
    const lines = jsonl.stdout.trimEnd().split('\n').map(line => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map(line => [line.id, line._audit_change_type])).toEqual([
      [1, 'I'],
      [2, 'I'],
      [1, 'U'],
      [2, 'U'],
      [2, 'D'],
    ]);
    const ids = lines.map(line => line._audit_id as number);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(lines[3]).toMatchObject({ name: HOSTILE_NAME, email: FORMULA, _audit_actor: 'bob', _audit_timestamp: seeded.T2.toISOString() });
    const csv = await cli('export', 'Person', '--format', 'csv', '--since', seeded.T2.toISOString(), '--until', seeded.T3.toISOString());
    expect(csv.stdout.split('\n')[0]).toBe('_audit_id,_audit_timestamp,_audit_change_type,_audit_actor,_audit_reason,_audit_transaction,id,name,email,age');
    const rows = csv.stdout.trimEnd().split('\n').slice(1);
    expect(rows.map(row => row.split(',').slice(1, 3))).toEqual([
      [seeded.T2.toISOString(), 'U'],
      [seeded.T2.toISOString(), 'U'],
    ]);
    expect(rows[1]).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect((await cli('export', 'Person', '--format', 'jsonl', '--since', seeded.T3.toISOString())).stdout.trimEnd().split('\n')).toHaveLength(1);
  });

  it('export needs --format jsonl or csv (exit 2)', async () => {
    expect(await cli('export', 'Person')).toEqual({ status: 2, stdout: '', stderr: "error: required option '--format <format>' not specified. See npx mikro-orm-audit-trail export --help.\n" });
    expect((await cli('export', 'Person', '--format', 'xml')).stderr).toBe(
      "error: option '--format <format>' argument 'xml' is invalid. Allowed choices are jsonl, csv. See npx mikro-orm-audit-trail export --help.\n",
    );
  });

  it('export reads in keyset batches: 1,234 versions come out once each, in order, to a file', async () => {
    const em = ctx.t.orm.em.fork();
    await auditContext.run({ user: 'loader' }, () => em.insertMany(Membership, Array.from({ length: 1233 }, (_, i) => ({ team: 2, person: i + 1, role: `r${i}` }))));
    const file = join(mkdtempSync(join(tmpdir(), 'audit-cli-export-')), 'memberships.jsonl');
    const result = await cli('export', 'Membership', '--format', 'jsonl', '--output', file);
    expect(result).toEqual({ status: 0, stdout: '', stderr: `Exported 1234 versions of Membership to ${file}.\n` });
    const ids = readFileSync(file, 'utf8').trimEnd().split('\n').map(line => (JSON.parse(line) as { _audit_id: number })._audit_id);
    expect(ids).toHaveLength(1234);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(1234);
  });
});
