// `mikro-orm-audit-trail verify` in this process: exit codes, the key from the environment or a file, --seal,
// what it prints for people and as JSON.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runInProcess } from '../cli/support/captureIo.js';
import { refreshSchema } from '../support/mikro.js';
import { AUDIT_TABLE, KEY, OTHER_KEY, describeTamper, middleOfChain, sealedHistory, sealedTo, storedRows, writeFirstHistory, writeMoreHistory } from './support/ledger.js';

const keyFile = join(tmpdir(), `verify-cli-${process.pid}.key`);
writeFileSync(keyFile, `base64:${Buffer.from('5e'.repeat(32), 'hex').toString('base64')}\n`);
const newKeyFile = join(tmpdir(), `verify-cli-${process.pid}-new.key`);
writeFileSync(newKeyFile, `${'a7'.repeat(32)}\n`);

describeTamper('verify on the command line', import.meta.url, ctx => {
  const verify = (...args: string[]) => runInProcess(ctx.orm, ['verify', ...args]);

  afterEach(() => {
    delete process.env.AUDIT_TRAIL_SEAL_KEY;
    delete process.env.AUDIT_TRAIL_RETIRED_SEAL_KEYS;
  });

  it('no seals yet and no key: checks the chains, exit 0', async () => {
    await refreshSchema(ctx.orm);
    await writeFirstHistory(ctx.orm);
    const run = await verify();
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/ledger_audit \(Ledger\): \d+ rows, 0 prune records, seals not checked\nno findings\n$/);
    expect(run.stderr).not.toMatch(/error/);
  });

  it('--seal seals what it verified, with the key from the environment; then verify with the key file finds nothing', async () => {
    await refreshSchema(ctx.orm);
    await writeFirstHistory(ctx.orm);
    process.env.AUDIT_TRAIL_SEAL_KEY = '5e'.repeat(32);
    const sealing = await verify('--seal');
    expect(sealing.status, sealing.stderr).toBe(0);
    const rows = await storedRows(ctx.dba);
    expect(sealing.stdout).toContain(`sealed ledger_audit: ${rows.length} new rows in 1 seal, up to _audit_id ${rows.at(-1)!.id}`);
    delete process.env.AUDIT_TRAIL_SEAL_KEY;
    const checked = await verify('--key-file', keyFile);
    expect(checked.status).toBe(0);
    expect(checked.stdout).toContain(`1 seal up to _audit_id ${rows.at(-1)!.id}`);
  });

  it('seals exist but no key: the chains are checked, exit 2 with the fix', async () => {
    await sealedHistory(ctx.orm);
    const run = await verify();
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/seals exist but no seal key was given.*Set AUDIT_TRAIL_SEAL_KEY or pass --key-file <path>/);
  });

  it('a finding: exit 1, nothing sealed, the finding in the output and as JSON', async () => {
    await sealedHistory(ctx.orm);
    const row = middleOfChain(await storedRows(ctx.dba), await sealedTo(ctx.dba));
    await ctx.dba.query(`delete from ${AUDIT_TABLE} where _audit_id = ?`, [row.id]);
    const seals = await ctx.dba.query('select count(*) as n from audit_trail_seal');
    const run = await verify('--seal', '--key-file', keyFile);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(`✗ removed ledger_audit _audit_id ${row.id}: Row ${row.id}, sealed (seal #`);
    expect(run.stdout).toMatch(/1 finding: history was changed outside the application\n$/);
    expect(run.stderr).toContain('not sealed: verify found changes');
    expect(await ctx.dba.query('select count(*) as n from audit_trail_seal')).toEqual(seals);
    const json = await verify('--json', '--key-file', keyFile);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, seals: 'checked', keyId: KEY.id, findings: [{ table: AUDIT_TABLE, auditId: String(row.id), kind: 'removed' }] });
  });

  it('progress as plain lines on stderr; --seal without a key, a bad key, a bad option: exit 2 with the fix', async () => {
    await sealedHistory(ctx.orm);
    await writeMoreHistory(ctx.orm, 20);
    const run = await verify('--key-file', keyFile, '--batch-size', '2');
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^verify ledger_audit: 2\/\d+ rows/m);
    expect(run.stderr).toMatch(/^verify ledger_audit: (\d+)\/\1 rows \(100%\)/m);
    const noKey = await verify('--seal');
    expect([noKey.status, noKey.stderr]).toEqual([2, expect.stringMatching(/verify --seal needs the seal key.*AUDIT_TRAIL_SEAL_KEY/)]);
    process.env.AUDIT_TRAIL_SEAL_KEY = 'not a key';
    const badKey = await verify();
    expect([badKey.status, badKey.stderr]).toEqual([2, expect.stringMatching(/seal key from the environment variable AUDIT_TRAIL_SEAL_KEY is not usable/)]);
    expect(badKey.stderr).not.toContain('not a key');
    const badBatch = await verify('--batch-size', '0');
    expect(badBatch.status).toBe(2);
  });

  it('a key rotation: the new key alone reports the old seals (exit 1); with --retired-key-file or the environment, exit 0 and --seal seals with the new key', async () => {
    await sealedHistory(ctx.orm);
    const alone = await verify('--seal', '--key-file', newKeyFile);
    expect(alone.status).toBe(1);
    expect(alone.stdout).toContain(`✗ forged-seal ledger_audit _audit_id`);
    expect(alone.stdout).toContain(`it names key id ${KEY.id}, and verify was given key id ${OTHER_KEY.id} (current)`);
    const rotated = await verify('--seal', '--json', '--key-file', newKeyFile, '--retired-key-file', keyFile);
    expect(rotated.status, rotated.stderr).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ ok: true, keyId: OTHER_KEY.id, retiredKeyIds: [KEY.id], sealed: [{ table: AUDIT_TABLE, seals: 1 }] });
    expect((await ctx.dba.query('select key_id from audit_trail_seal order by to_id')).map(row => row.key_id)).toEqual([KEY.id, OTHER_KEY.id]);
    process.env.AUDIT_TRAIL_RETIRED_SEAL_KEYS = '5e'.repeat(32);
    expect((await verify('--key-file', newKeyFile)).status).toBe(0);
    delete process.env.AUDIT_TRAIL_RETIRED_SEAL_KEYS;
    const twice = await verify('--key-file', newKeyFile, '--retired-key-file', keyFile, '--retired-key-file', newKeyFile);
    expect([twice.status, twice.stderr]).toEqual([2, expect.stringMatching(/The seal key with id [0-9a-f]{16} is given twice/)]);
    const noCurrent = await verify('--retired-key-file', keyFile);
    expect([noCurrent.status, noCurrent.stderr]).toEqual([2, expect.stringMatching(/Retired seal keys were given without the current one/)]);
  });
});
