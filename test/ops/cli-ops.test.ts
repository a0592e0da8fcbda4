// Issue 14: the prune and backfill commands, run in this process on each database (the installed bin is tested in
// test/cli): summary lines on stdout, plain progress lines on a non-interactive stderr, exit 2 with the fix for
// every wrong command line, and idempotent reruns.
import { beforeEach, expect, it } from 'vitest';
import { allowUnauditedWrites, auditContext, auditOf } from '../../src/index.js';
import { Membership, Person } from '../cli/support/entities.js';
import { runInProcess } from '../cli/support/captureIo.js';
import { refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

const PersonAudit = auditOf(Person);

describeOnEachDatabase('CLI prune and backfill', { file: import.meta.url, config: { entities: [Person, Membership] } }, ctx => {
  const cli = (...argv: string[]) => runInProcess(ctx.t.orm, argv);
  const fork = () => ctx.t.orm.em.fork();

  beforeEach(async () => {
    await refreshSchema(ctx.t.orm);
    await allowUnauditedWrites(async () => {
      await fork().getConnection().execute(`insert into cli_person (id, name) values (1, 'a'), (2, 'b'), (3, 'c')`);
      await fork().getConnection().execute(`insert into cli_membership (team, person, role) values (1, 1, 'x'), (1, 2, 'y')`);
    });
  });

  it('backfill <Entity>: I versions with the actor and reason, progress lines on stderr, a summary on stdout; a rerun writes nothing', async () => {
    const first = await cli('backfill', 'Person', '--actor', 'ops:eve', '--batch-size', '2');
    expect(first).toMatchObject({ status: 0, stdout: 'Person: wrote 3 I versions in 2 batches\n' });
    expect(first.stderr.split('\n')[0]).toMatch(/^backfill Person: 2\/3 rows \(66%\), 2 written, \d+\/s, about \d+s left$/);
    expect(first.stderr).toMatch(/backfill Person: 3\/3 rows \(100%\), 3 written, \d+\/s\n$/);
    const rows = await fork().find(PersonAudit, {}, { orderBy: { _audit_id: 'asc' } });
    expect(rows.map(r => [r.id, r._audit_change_type, r._audit_actor, r._audit_reason])).toEqual([1, 2, 3].map(id => [id, 'I', 'ops:eve', 'backfill']));
    expect(await cli('backfill', 'Person')).toEqual({ status: 0, stdout: 'Person: wrote 0 I versions in 0 batches\n', stderr: '' });
  });

  it('backfill --all: every audited entity in name order, with --reason', async () => {
    const result = await cli('backfill', '--all', '--reason', 'switched on');
    expect(result).toMatchObject({ status: 0, stdout: 'Membership: wrote 2 I versions in 1 batch\nPerson: wrote 3 I versions in 1 batch\n' });
    expect(new Set((await fork().find(PersonAudit, {})).map(r => r._audit_reason))).toEqual(new Set(['switched on']));
  });

  it('prune <Entity>: a dry run counts, the prune removes as many, each with progress; ages and dates', async () => {
    await cli('backfill', 'Person');
    for (const name of ['b2', 'b3']) {
      await auditContext.run({ user: 'app' }, () => fork().nativeUpdate(Person, {}, { name }));
    }
    const dry = await cli('prune', 'Person', '--keep-last', '1', '--dry-run', '--batch-size', '2');
    expect(dry).toMatchObject({ status: 0, stdout: 'Person: would remove 6 versions in 3 batches\n' });
    expect(dry.stderr).toMatch(/^prune Person: \d+\/9 audit rows \(\d+%\), \d+ to remove/);
    expect(await fork().count(PersonAudit)).toBe(9);
    const real = await cli('prune', 'Person', '--keep-last', '1', '--batch-size', '2');
    expect(real).toMatchObject({ status: 0, stdout: 'Person: removed 6 versions in 3 batches\n' });
    expect(real.stderr).toMatch(/prune Person: 9\/9 audit rows \(100%\), 6 removed, \d+\/s\n$/);
    expect(await fork().count(PersonAudit)).toBe(3);
    expect(await cli('prune', 'Person', '--keep-last', '1')).toMatchObject({ status: 0, stdout: 'Person: removed 0 versions in 0 batches\n' });
    // Nothing is older than an hour, or than the start of 2000; everything is older than a date far ahead.
    expect((await cli('prune', '--all', '--older-than', '1h')).stdout).toBe('Membership: removed 0 versions in 0 batches\nPerson: removed 0 versions in 0 batches\n');
    expect((await cli('prune', 'Person', '--older-than', '2000-01-01')).stdout).toBe('Person: removed 0 versions in 0 batches\n');
    // The newest version of a row that exists always stays.
    expect((await cli('prune', 'Person', '--older-than', '2999-01-01T00:00:00Z')).stdout).toBe('Person: removed 0 versions in 0 batches\n');
  });

  it('exits 2 with the fix for every wrong command line, and changes nothing', async () => {
    const refused: [string[], RegExp][] = [
      [['prune', '--keep-last', '1'], /prune needs an entity name, or --all for every audited entity\. See npx mikro-orm-audit-trail prune --help/],
      [['prune', 'Person', '--all', '--keep-last', '1'], /prune takes an entity or --all, not both/],
      [['prune', 'Person'], /prune needs --older-than <age>, --keep-last <n> or both/],
      [['prune', 'Person', '--older-than', '12x'], /--older-than must be an age such as 365d, 12h or 30m .*got "12x"/],
      [['prune', 'Person', '--older-than', '2026-13-45'], /--older-than must be an ISO 8601 instant/],
      [['prune', 'Person', '--keep-last', 'ten'], /--keep-last must be a non-negative integer, got "ten"/],
      [['prune', 'Person', '--keep-last', '1', '--batch-size', '0'], /--batch-size must be a positive integer, got "0"/],
      [['prune', 'person', '--keep-last', '1'], /'person' is not an audited entity \(names are case-sensitive: did you mean 'Person'\?\)/],
      [['backfill'], /backfill needs an entity name, or --all/],
      [['backfill', 'Nobody'], /'Nobody' is not an audited entity/],
    ];
    for (const [argv, message] of refused) {
      const result = await cli(...argv);
      expect({ argv, status: result.status, stdout: result.stdout }).toEqual({ argv, status: 2, stdout: '' });
      expect(result.stderr).toMatch(message);
    }
    expect(await fork().count(PersonAudit)).toBe(0);
  });
});
