import type { MikroORM } from '@mikro-orm/core';

/**
 * How many of a pool's `size` connections can be used at once: `size` transactions are opened together and each
 * runs a query while all are open. A connection kept by an earlier failure makes one of them wait; after
 * `waitMs` the count reached is returned (the waiting transactions stay queued until the ORM is closed).
 */
export async function usableConnections(orm: MikroORM, size: number, waitMs = 5_000): Promise<number> {
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
  const timeout = new Promise<void>(resolve => (timer = setTimeout(resolve, waitMs)));
  await Promise.race([Promise.all(holders), timeout]);
  clearTimeout(timer);
  if (open < size) {
    release();
  }
  return open;
}

/** Every pooled connection came back: all `size` can be used at once. */
export async function expectPoolFree(orm: MikroORM, size: number): Promise<void> {
  const usable = await usableConnections(orm, size);
  if (usable !== size) {
    throw new Error(`only ${usable} of ${size} pooled connections could be used at once: one was leaked`);
  }
}
