import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// A real JWT-style bearer token (HS256: base64url header.payload, HMAC-SHA256 signature), as an auth guard or hook
// verifies it, without a JWT library.

const secret = randomBytes(32);

/** What the token says about its bearer, and what the auth step puts on the request as its user. */
export interface TokenUser {
  readonly id: string;
  readonly name: string;
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (content: string) => createHmac('sha256', secret).update(content).digest();

/** `Bearer <token>` for the user. */
export function bearer(user: TokenUser): string {
  const content = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: user.id, name: user.name })}`;
  return `Bearer ${content}.${sign(content).toString('base64url')}`;
}

/** The user of a valid `Authorization` header, or `undefined` (missing, malformed, wrong signature or algorithm). */
export function verifyBearer(authorization: string | undefined): TokenUser | undefined {
  const match = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(authorization ?? '');
  if (!match) {
    return undefined;
  }
  const [, header, payload, signature] = match as unknown as [string, string, string, string];
  const given = Buffer.from(signature, 'base64url');
  const expected = sign(`${header}.${payload}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return undefined;
  }
  const { alg } = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string };
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: string; name?: string };
  return alg === 'HS256' && claims.sub && claims.name ? { id: claims.sub, name: claims.name } : undefined;
}
