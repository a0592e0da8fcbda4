import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { RETIRED_SEAL_KEYS_VARIABLE, SEAL_KEY_VARIABLE, TamperErrors } from '../errors/TamperErrors.js';

const MIN_BYTES = 32;
const BASE64_PREFIX = 'base64:';

/**
 * The secret that authenticates seals and prune records (HMAC-SHA256). It lives outside the database, so that
 * someone who can write every table still cannot forge a seal. Opaque: printing it, logging it or turning it
 * into JSON shows only its id.
 */
export class SealKey {
  readonly #bytes: Buffer;
  /** First 16 hex digits of `sha256("key-id\0" + key)`: tells keys apart in seals and messages, reveals nothing. */
  readonly id: string;

  private constructor(bytes: Buffer) {
    this.#bytes = bytes;
    this.id = createHash('sha256').update('key-id\0').update(bytes).digest('hex').slice(0, 16);
  }

  /** Parses a key written as hex digits or as `base64:<base64>`; `source` names where it came from in errors. */
  static parse(text: string, source = 'the given text'): SealKey {
    return new SealKey(decode(text.trim(), source));
  }

  /** Hex HMAC-SHA256 of `text` under this key, domain-separated by `domain` (what is being authenticated). */
  mac(domain: string, text: string): string {
    return createHmac('sha256', this.#bytes).update(`mikro-orm-audit-trail/${domain}\n`).update(text).digest('hex');
  }

  toString(): string {
    return `SealKey(${this.id})`;
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Where `loadSealKey` looks: a key file (explicit, so it wins), else the environment. */
export interface SealKeySource {
  /** Path of a file whose whole content (surrounding whitespace ignored) is the key. */
  keyFile?: string;
  /** Defaults to `process.env`; `AUDIT_TRAIL_SEAL_KEY` is read from it. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The seal key from `keyFile`, else from `AUDIT_TRAIL_SEAL_KEY`; `undefined` when neither is set. */
export function loadSealKey(source: SealKeySource = {}): SealKey | undefined {
  if (source.keyFile !== undefined) {
    return SealKey.parse(readKeyFile(source.keyFile, false), `the key file ${source.keyFile}`);
  }
  const value = (source.env ?? process.env)[SEAL_KEY_VARIABLE];
  return value === undefined || value === '' ? undefined : SealKey.parse(value, `the environment variable ${SEAL_KEY_VARIABLE}`);
}

/** Where `loadRetiredSealKeys` looks: key files (explicit, so they win), else the environment. */
export interface RetiredSealKeySource {
  /** Paths of files holding one retired key each, newest first. */
  keyFiles?: readonly string[];
  /** Defaults to `process.env`; `AUDIT_TRAIL_RETIRED_SEAL_KEYS` (keys separated by commas, newest first) is read from it. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The retired seal keys (key rotation), newest first: from `keyFiles`, else from `AUDIT_TRAIL_RETIRED_SEAL_KEYS`;
 * none when neither is set. They check older seals and prune records; nothing new is made with them.
 */
export function loadRetiredSealKeys(source: RetiredSealKeySource = {}): SealKey[] {
  if (source.keyFiles !== undefined && source.keyFiles.length > 0) {
    return source.keyFiles.map(keyFile => SealKey.parse(readKeyFile(keyFile, true), `the retired key file ${keyFile}`));
  }
  const value = (source.env ?? process.env)[RETIRED_SEAL_KEYS_VARIABLE];
  if (value === undefined || value.trim() === '') {
    return [];
  }
  return value.split(',').map((text, i) => SealKey.parse(text, `the environment variable ${RETIRED_SEAL_KEYS_VARIABLE} (key ${i + 1})`));
}

/** `loadSealKey`, but a missing key is an error naming `purpose` (what needs it) and how to give one. */
export function requireSealKey(purpose: string, source: SealKeySource = {}): SealKey {
  const key = loadSealKey(source);
  if (!key) {
    throw TamperErrors.keyMissing(purpose);
  }
  return key;
}

function readKeyFile(path: string, retired: boolean): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw TamperErrors.keyFileUnreadable(path, error, retired);
  }
}

// Strict on purpose: a key that is silently read some other way (a newline inside, a hex key taken as text)
// would make every seal fail on the next machine. Messages give lengths and character classes, never content.
function decode(text: string, source: string): Buffer {
  if (text === '') {
    throw TamperErrors.keyInvalid(source, 'it is empty');
  }
  if (text.startsWith(BASE64_PREFIX)) {
    const body = text.slice(BASE64_PREFIX.length);
    const bytes = Buffer.from(body, 'base64');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0 || bytes.toString('base64') !== body) {
      throw TamperErrors.keyInvalid(source, `the text after 'base64:' (${body.length} characters) is not canonical base64 (A-Z a-z 0-9 + /, padded with =)`);
    }
    return checkedLength(bytes, source);
  }
  if (!/^[0-9a-fA-F]+$/.test(text)) {
    throw TamperErrors.keyInvalid(source, `its ${text.length} characters are neither only hex digits nor 'base64:' followed by base64`);
  }
  if (text.length % 2 !== 0) {
    throw TamperErrors.keyInvalid(source, `it has an odd number of hex digits (${text.length})`);
  }
  return checkedLength(Buffer.from(text, 'hex'), source);
}

function checkedLength(bytes: Buffer, source: string): Buffer {
  if (bytes.length < MIN_BYTES) {
    throw TamperErrors.keyInvalid(source, `it holds ${bytes.length} bytes, fewer than ${MIN_BYTES}`);
  }
  return bytes;
}
