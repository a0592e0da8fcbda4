// Key rotation's pieces without a database: loading retired keys from files or the environment, and the ring that
// finds a seal's key by id and ranks keys by age.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRetiredSealKeys, SealKey } from '../../src/tamper/SealKey.js';
import { SealKeyRing } from '../../src/tamper/SealKeyRing.js';
import { errorOf } from './support/errorOf.js';

const [a, b, c] = ['a1', 'b2', 'c3'].map(byte => SealKey.parse(byte.repeat(32)));
const dir = mkdtempSync(join(tmpdir(), 'seal-key-ring-'));

describe('retired seal keys', () => {
  it('come from files in the order given, which win over the environment; else from the environment, comma-separated', () => {
    const [first, second] = [join(dir, 'first'), join(dir, 'second')];
    writeFileSync(first, `${'b2'.repeat(32)}\n`);
    writeFileSync(second, `base64:${Buffer.from('c3'.repeat(32), 'hex').toString('base64')}`);
    const env = { AUDIT_TRAIL_RETIRED_SEAL_KEYS: `${'a1'.repeat(32)}` };
    expect(loadRetiredSealKeys({ keyFiles: [first, second], env }).map(key => key.id)).toEqual([b!.id, c!.id]);
    expect(loadRetiredSealKeys({ env: { AUDIT_TRAIL_RETIRED_SEAL_KEYS: ` ${'b2'.repeat(32)} ,${'a1'.repeat(32)}\n` } }).map(key => key.id)).toEqual([b!.id, a!.id]);
    expect(loadRetiredSealKeys({ keyFiles: [], env })).toHaveLength(1);
    expect(loadRetiredSealKeys({ env: {} })).toEqual([]);
    expect(loadRetiredSealKeys({ env: { AUDIT_TRAIL_RETIRED_SEAL_KEYS: '  ' } })).toEqual([]);
  });

  it('name the entry and the variable of a bad key, never its text; an unreadable file by its path', () => {
    const secret = 'ab'.repeat(8);
    const bad = errorOf(() => loadRetiredSealKeys({ env: { AUDIT_TRAIL_RETIRED_SEAL_KEYS: `${'a1'.repeat(32)},${secret}` } }));
    expect(bad.code).toBe('AUDIT_SEAL_KEY_INVALID');
    expect(bad.message).toContain('the environment variable AUDIT_TRAIL_RETIRED_SEAL_KEYS (key 2)');
    expect(bad.message).toContain('fewer than 32');
    expect(bad.message).not.toContain(secret);
    const empty = errorOf(() => loadRetiredSealKeys({ env: { AUDIT_TRAIL_RETIRED_SEAL_KEYS: `${'a1'.repeat(32)},,` } }));
    expect(empty.message).toContain('(key 2) is not usable: it is empty');
    const missing = errorOf(() => loadRetiredSealKeys({ keyFiles: [join(dir, 'nope')] }));
    expect(missing.message).toContain(`The retired seal key file ${join(dir, 'nope')} cannot be read (ENOENT)`);
    expect(missing.message).toContain('or set AUDIT_TRAIL_RETIRED_SEAL_KEYS instead');
    writeFileSync(join(dir, 'short'), 'ab'.repeat(8));
    expect(errorOf(() => loadRetiredSealKeys({ keyFiles: [join(dir, 'short')] })).message).toContain(`The seal key from the retired key file ${join(dir, 'short')} is not usable`);
  });
});

describe('the seal key ring', () => {
  it('finds each key by id with its age: 0 for the current key, then the retired ones newest first', () => {
    const ring = SealKeyRing.of(a!, [b!, c!]);
    expect([a, b, c].map(key => ring.find(key!.id)?.rank)).toEqual([0, 1, 2]);
    expect(ring.find(c!.id)?.key).toBe(c);
    expect(ring.find('0000000000000000')).toBeUndefined();
    expect(ring.describe()).toBe(`key id ${a!.id} (current; retired: ${b!.id}, ${c!.id})`);
    expect(SealKeyRing.of(a!).describe()).toBe(`key id ${a!.id} (current)`);
  });

  it('refuses a key given twice, as current and retired or twice retired, naming its id and the fix', () => {
    for (const [current, retired] of [
      [a!, [b!, SealKey.parse('a1'.repeat(32))]],
      [a!, [b!, b!]],
    ] as const) {
      const error = errorOf(() => SealKeyRing.of(current, retired));
      expect(error.code).toBe('AUDIT_SEAL_KEY_INVALID');
      expect(error.message).toMatch(/The seal key with id [0-9a-f]{16} is given twice/);
      expect(error.message).toContain('Give each key once');
    }
  });
});
