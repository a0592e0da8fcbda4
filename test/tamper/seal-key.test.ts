import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AuditTrailConfigError } from '../../src/index.js';
import { loadSealKey, requireSealKey, SealKey } from '../../src/tamper/SealKey.js';
import { errorOf } from './support/errorOf.js';

const hex = 'a1'.repeat(32);
const bytes = Buffer.from(hex, 'hex');
const dir = mkdtempSync(join(tmpdir(), 'seal-key-'));

describe('seal key loading', () => {
  it('reads hex and base64: forms of the same key as the same key, from the environment or a file', () => {
    const fromHex = loadSealKey({ env: { AUDIT_TRAIL_SEAL_KEY: hex } })!;
    const fromBase64 = loadSealKey({ env: { AUDIT_TRAIL_SEAL_KEY: `base64:${bytes.toString('base64')}` } })!;
    const file = join(dir, 'key');
    writeFileSync(file, `${hex.toUpperCase()}\n`);
    const fromFile = loadSealKey({ keyFile: file, env: {} })!;
    expect(fromHex.id).toMatch(/^[0-9a-f]{16}$/);
    expect(fromBase64.id).toBe(fromHex.id);
    expect(fromFile.id).toBe(fromHex.id);
    expect(fromFile.mac('seal/v1', 'x')).toBe(fromHex.mac('seal/v1', 'x'));
    expect(fromHex.mac('seal/v1', 'x')).not.toBe(fromHex.mac('pruned/v1', 'x'));
    expect(SealKey.parse('b2'.repeat(32)).id).not.toBe(fromHex.id);
  });

  it('prefers an explicit key file to the environment, and gives undefined when neither is set', () => {
    const file = join(dir, 'other');
    writeFileSync(file, 'c3'.repeat(40));
    expect(loadSealKey({ keyFile: file, env: { AUDIT_TRAIL_SEAL_KEY: hex } })!.id).toBe(SealKey.parse('c3'.repeat(40)).id);
    expect(loadSealKey({ env: {} })).toBeUndefined();
    expect(loadSealKey({ env: { AUDIT_TRAIL_SEAL_KEY: '' } })).toBeUndefined();
  });

  it('never shows the key when printed, logged or serialised', () => {
    const key = SealKey.parse(hex);
    for (const shown of [String(key), JSON.stringify(key), inspect(key), `${inspect({ key })}`]) {
      expect(shown).toContain(key.id);
      expect(shown.toLowerCase()).not.toContain('a1a1a1');
    }
  });

  it.each([
    ['too short', 'ab'.repeat(31), /holds 31 bytes, fewer than 32/],
    ['odd hex', `${hex}a`, /odd number of hex digits \(65\)/],
    ['not hex', `${hex.slice(0, 60)}zzzz`, /neither only hex digits nor 'base64:'/],
    ['spaces inside', `${hex.slice(0, 32)} ${hex.slice(32)}`, /neither only hex digits/],
    ['bad base64', 'base64:!!!!', /not canonical base64/],
    ['unpadded base64', `base64:${bytes.toString('base64').replace(/=+$/, '')}`, /not canonical base64/],
    ['short base64', `base64:${Buffer.alloc(16, 7).toString('base64')}`, /holds 16 bytes/],
  ])('refuses a key that is %s, naming the source and the fix but not the key', (_, value, problem) => {
    const error = errorOf(() => loadSealKey({ env: { AUDIT_TRAIL_SEAL_KEY: value } }));
    expect(error).toBeInstanceOf(AuditTrailConfigError);
    expect(error.code).toBe('AUDIT_SEAL_KEY_INVALID');
    expect(error.message).toMatch(problem);
    expect(error.message).toContain('the environment variable AUDIT_TRAIL_SEAL_KEY');
    expect(error.message).toContain('randomBytes(32)');
    expect(error.message).not.toContain(value.slice(7, 30));
  });

  it('names an unreadable key file and a missing key with what to set', () => {
    const unreadable = errorOf(() => loadSealKey({ keyFile: join(dir, 'missing') }));
    expect(unreadable.message).toMatch(/seal key file .*missing cannot be read \(ENOENT\)/);
    const missing = errorOf(() => requireSealKey('verify --seal', { env: {} }));
    expect(missing.code).toBe('AUDIT_SEAL_KEY_MISSING');
    expect(missing.message).toMatch(/^verify --seal needs the seal key.*AUDIT_TRAIL_SEAL_KEY.*--key-file/);
  });
});
