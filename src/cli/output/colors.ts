import picocolors from 'picocolors';

/** The color functions of picocolors, on or off. */
export type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * Whether a stream may carry ANSI colors, by the rules picocolors and most CLIs follow: `NO_COLOR` (any non-empty
 * value) turns them off, `FORCE_COLOR` (other than `0`/`false`) on; otherwise only a terminal (not `TERM=dumb`) gets
 * them. Unlike picocolors' own default, `CI` does not turn them on: CI logs and pipes get plain text.
 */
export function colorAllowed(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) {
    return false;
  }
  if (env.FORCE_COLOR !== undefined && !['0', 'false'].includes(env.FORCE_COLOR)) {
    return true;
  }
  return (stream as { isTTY?: boolean }).isTTY === true && env.TERM !== 'dumb';
}

/** picocolors' functions, coloring only when `enabled`. */
export function colors(enabled: boolean): Colors {
  return picocolors.createColors(enabled);
}
