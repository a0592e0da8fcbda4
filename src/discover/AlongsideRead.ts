/**
 * The `'warn'` schema check's read, run alongside the application's start instead of holding `MikroORM.init`: it
 * waits until MikroORM's own start statements are done (`ready`), then reads. While it reads, the application's
 * statements wait for it (`running`), since what it finds changes the audit entities; before it reads they pass
 * (they are MikroORM's own start statements). Closing the connection cancels a read not started yet and waits for
 * a running one (`settle`).
 */
export class AlongsideRead {
  #state: 'idle' | 'waiting' | 'reading' = 'idle';
  #whole: Promise<void> | undefined;
  #running: Promise<void> | undefined;
  #cancel: (() => void) | undefined;

  /** Starts it unless it was started already; resolves once it is done, and never rejects (`failed` is told). */
  start(ready: (cancelled: Promise<void>) => Promise<void>, read: () => Promise<void>, failed: (error: unknown) => void): Promise<void> {
    if (this.#whole) {
      return this.#whole;
    }
    const cancelled = new Promise<void>(resolve => {
      this.#cancel = resolve;
    });
    this.#state = 'waiting';
    this.#whole = ready(cancelled)
      .then(() => {
        if (this.#state !== 'waiting') {
          return undefined;
        }
        this.#state = 'reading';
        this.#running = read().catch(failed);
        return this.#running;
      })
      .catch(failed)
      .finally(() => {
        this.#state = 'idle';
        this.#whole = undefined;
        this.#running = undefined;
      });
    return this.#whole;
  }

  /** The read while it runs: what the application's statements wait for. */
  get running(): Promise<void> | undefined {
    return this.#running;
  }

  /** Cancels the read if it has not started; waits for it if it has. */
  async settle(): Promise<void> {
    if (this.#state === 'waiting') {
      this.#state = 'idle';
      this.#cancel?.();
    }
    await this.#whole;
  }
}
