import { expect } from 'vitest';
import type { MikroORM } from '@mikro-orm/core';
import { bearer, type TokenUser } from './bearer.js';
import { attribution } from './memo.js';

export const CONCURRENT_USERS = 200;

/** `count` distinct users, `user-0` … */
export function distinctUsers(count = CONCURRENT_USERS): TokenUser[] {
  return Array.from({ length: count }, (_, i) => ({ id: `user-${i}`, name: `User ${i}` }));
}

/**
 * Sends one `POST <url>` per user at once, each authenticated as its user and asking for a memo lifecycle of that
 * user (3 audit rows), then checks every row names its owner as the actor and prints the counts.
 */
export async function concurrentLifecycles(label: string, url: string, orm: MikroORM): Promise<void> {
  const users = distinctUsers();
  const responses = await Promise.all(
    users.map(user =>
      fetch(url, {
        method: 'POST',
        headers: { authorization: bearer(user), 'content-type': 'application/json' },
        body: JSON.stringify({ owner: user.id }),
      }),
    ),
  );
  expect(responses.map(response => response.status)).toEqual(users.map(() => 201));
  const { rows, misattributed, perOwner } = await attribution(orm);
  console.log(`${label}: ${users.length} requests, ${rows} audit rows, ${misattributed} misattributed`);
  expect(rows).toBe(users.length * 3);
  expect([...perOwner.values()].every(count => count === 3)).toBe(true);
  expect(misattributed).toBe(0);
}
