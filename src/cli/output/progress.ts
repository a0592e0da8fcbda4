import cliProgress from 'cli-progress';
import type { CommandIo } from '../CliCommand.js';
import { terminalText } from './terminalText.js';

/** Shows how far a long command got: a bar on a terminal, plain lines elsewhere. */
export interface ProgressOutput {
  /** `done` of `total` units so far, with a short note (`"120 removed"`). */
  update(done: number, total: number, note: string): void;
  /** The work ended (finished or not): ends the bar, or writes the last line if it was not written. */
  stop(): void;
}

// Plain lines at most this often (and always the first and the last): a log is not a terminal.
const LINE_INTERVAL_MS = 1_000;

/**
 * The progress of one piece of work (`label`, e.g. `prune Person`), counted in `unit`s, on stderr: a cli-progress
 * bar (rows done / total, rate, time left) when stderr is a terminal outside CI (`io.interactive`) and `NO_COLOR`
 * is unset, plain lines otherwise (`prune Person: 5000/120000 audit rows (4%), 312 removed, 2500/s, about 46s left`).
 */
export function progressOutput(io: CommandIo, label: string, unit: string, env: NodeJS.ProcessEnv = process.env, now: () => number = Date.now): ProgressOutput {
  const shown = terminalText(label);
  const started = now();
  const rate = (done: number) => Math.round(done / Math.max(0.001, (now() - started) / 1000));
  if (io.interactive && !env.NO_COLOR) {
    return barOutput(io, shown, unit, rate);
  }
  let last: { done: number; total: number; note: string } | undefined;
  let written = -Infinity;
  let pending = false;
  const write = () => {
    const { done, total, note } = last!;
    const left = done > 0 && total > done ? `, about ${duration(((total - done) * (now() - started)) / done)} left` : '';
    io.stderr.write(`${shown}: ${done}/${total} ${unit} (${percent(done, total)}%)${note ? `, ${terminalText(note)}` : ''}, ${rate(done)}/s${left}\n`);
    written = now();
    pending = false;
  };
  return {
    update(done, total, note) {
      last = { done, total, note };
      pending = true;
      if (written === -Infinity || done >= total || now() - written >= LINE_INTERVAL_MS) {
        write();
      }
    },
    stop() {
      if (pending) {
        write();
      }
    },
  };
}

function barOutput(io: CommandIo, label: string, unit: string, rate: (done: number) => number): ProgressOutput {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {note} | {rate}/s | {eta_formatted} left`,
      stream: io.stderr,
      hideCursor: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(done, total, note) {
      const payload = { note: terminalText(note), rate: rate(done) };
      if (!started) {
        started = true;
        bar.start(total, done, payload);
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
    },
    stop() {
      if (started && !stopped) {
        stopped = true;
        bar.stop();
      }
    },
  };
}

function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((done * 100) / total)) : 100;
}

function duration(ms: number): string {
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 120) {
    return `${seconds}s`;
  }
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes}m` : `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
