/**
 * Writes a command's output to a stream, waiting for it to drain (so a slow reader holds back a long export instead
 * of filling memory) and noticing when the reader went away: `mikro-orm-audit-trail export Person | head` closes the
 * pipe after ten lines, which is no error. `write` then returns `false` and the command stops reading.
 */
export class OutputSink {
  readonly #stream: NodeJS.WritableStream;
  #closed = false;
  #error: Error | undefined;

  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
    stream.on('error', (error: Error & { code?: string }) => {
      this.#closed = true;
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') {
        this.#error = error;
      }
    });
  }

  /** Whether the reader is gone: nothing more will be written. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Writes `text`, waiting while the stream is full; `false` once the reader is gone. Throws a write error (a full disk). */
  async write(text: string): Promise<boolean> {
    if (!this.#closed && text.length > 0 && !this.#stream.write(text)) {
      await this.#settled('drain');
    }
    this.#check();
    return !this.#closed;
  }

  /** Ends a stream the command opened (a file), waiting until its content is written. */
  async end(): Promise<void> {
    if (!this.#closed) {
      const finished = this.#settled('finish');
      this.#stream.end();
      await finished;
    }
    this.#check();
  }

  // Until the stream emits `event`, closes or fails (the error is kept by the constructor's listener).
  #settled(event: 'drain' | 'finish'): Promise<void> {
    return new Promise(resolve => {
      const events = [event, 'close', 'error'] as const;
      const done = () => {
        events.forEach(name => this.#stream.off(name, done));
        resolve();
      };
      events.forEach(name => this.#stream.on(name, done));
    });
  }

  #check(): void {
    if (this.#error) {
      throw this.#error;
    }
  }
}
