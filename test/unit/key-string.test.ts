import { expect, it } from 'vitest';
import { keyString } from '../../src/write/keyString.js';

it('keeps distinct binary keys apart (bytes that are not UTF-8 used to decode to the same text)', () => {
  const keys = [[Buffer.from([0xff])], [Buffer.from([0xfe])], [Buffer.from([0xc3, 0x28])], [Buffer.from('\ufffd')], [Buffer.alloc(0)]];
  expect(new Set(keys.map(keyString)).size).toBe(keys.length);
});

it('compares a binary key by its bytes, whatever view holds them', () => {
  const bytes = Buffer.from([1, 2, 0xff]);
  const view = new Uint8Array([9, 1, 2, 0xff]).subarray(1);
  expect(keyString([view])).toBe(keyString([bytes]));
});

it('never mistakes text for a binary key', () => {
  const binary = keyString([Buffer.from('ab')]);
  expect([keyString(['ab']), keyString(['6162']), keyString([binary])]).not.toContain(binary);
  expect(keyString([`\u0001${binary}`])).not.toBe(keyString([binary]));
});

it('still compares numbers, numeric text and dates as before', () => {
  const at = new Date(Date.UTC(2026, 0, 1));
  expect(keyString([1, 'a'])).toBe(keyString(['1', 'a']));
  expect(keyString([at])).toBe(keyString([at.getTime()]));
  expect(keyString([10n])).toBe(keyString(['10']));
  expect(keyString(['a', 'b'])).not.toBe(keyString(['ab', '']));
});
