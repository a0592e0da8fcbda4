import type { MikroORM } from '@mikro-orm/core';

/**
 * Proves that every connection of a pool of `size` came back: `size` transactions are opened at once and each
 * runs a query while all are open. A connection kept by an earlier failure would make one of them wait, so the
 * check fails after `timeoutMs` instead of hanging.
 */
export async function expectPoolFree(orm: MikroORM, size: number, timeoutMs = 10_000): Promise<void> {
  let release!: () => void;
  const allOpen = new Promise<void>(resolve => (release = resolve));
  let open = 0;
  const holders = Array.from({ length: size }, () =>
    orm.em.fork().transactional(async em => {
      await em.getConnection().execute('select 1', [], 'all', em.getTransactionContext());
      if (++open === size) {
        release();
      }
      await allOpen;
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`only ${open} of ${size} pooled connections could be used at once: one was leaked`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.all(holders), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
