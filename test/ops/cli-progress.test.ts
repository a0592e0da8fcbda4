// Issue 14: the prune and backfill commands' ages (--older-than) and progress output, without a database.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseAge } from '../../src/cli/age.js';
import { progressOutput } from '../../src/cli/output/progress.js';
import { CliUsageError } from '../../src/errors/CliUsageError.js';

const NOW = new Date('2026-06-01T12:00:00Z');

describe('--older-than ages', () => {
  it('reads s, m (minutes), h, d and w back from now, and ISO dates and instants', () => {
    expect(parseAge('365d', '--older-than', NOW)).toEqual(new Date('2025-06-01T12:00:00Z'));
    expect(parseAge('12h', '--older-than', NOW)).toEqual(new Date('2026-06-01T00:00:00Z'));
    expect(parseAge('30m', '--older-than', NOW)).toEqual(new Date('2026-06-01T11:30:00Z'));
    expect(parseAge('90s', '--older-than', NOW)).toEqual(new Date('2026-06-01T11:58:30Z'));
    expect(parseAge('2W', '--older-than', NOW)).toEqual(new Date('2026-05-18T12:00:00Z'));
    expect(parseAge('2026-01-01', '--older-than', NOW)).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(parseAge('2026-01-01T10:00:00+02:00', '--older-than', NOW)).toEqual(new Date('2026-01-01T08:00:00Z'));
  });

  it('refuses other forms with a usage error that lists the accepted ones', () => {
    for (const text of ['1y', '3mo', '-5d', '5', 'd', '', '2026-01-01T10:00:00', '1e3d']) {
      expect(() => parseAge(text, '--older-than', NOW)).toThrow(CliUsageError);
    }
    expect(() => parseAge('1y', '--older-than', NOW)).toThrow(/for months or years give days, e\.g\. 365d/);
    expect(() => parseAge('2026-01-01T10:00:00', '--older-than', NOW)).toThrow(/with a time zone/);
  });
});

function stream(tty: boolean): PassThrough & { text(): string } {
  const out = Object.assign(new PassThrough(), { isTTY: tty, columns: 160 });
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  return Object.assign(out, { text: () => Buffer.concat(chunks).toString('utf8') });
}

describe('progress output', () => {
  it('writes plain lines at most once a second, the first and the last always, with rate and time left', () => {
    const stderr = stream(false);
    let clock = 0;
    const progress = progressOutput({ stdout: stream(false), stderr, color: false, interactive: false }, 'prune Person', 'audit rows', {}, () => clock);
    clock = 1000;
    progress.update(100, 1000, '10 removed');
    clock = 1500;
    progress.update(200, 1000, '20 removed'); // within the second: held
    clock = 2000;
    progress.update(400, 1000, '40 removed');
    clock = 2100;
    progress.update(1000, 1000, '90 removed\u001b[2J');
    progress.stop();
    expect(stderr.text().split('\n')).toEqual([
      'prune Person: 100/1000 audit rows (10%), 10 removed, 100/s, about 9s left',
      'prune Person: 400/1000 audit rows (40%), 40 removed, 200/s, about 3s left',
      'prune Person: 1000/1000 audit rows (100%), 90 removed\\x1b[2J, 476/s',
      '',
    ]);
  });

  it('writes the held last line when the work stops early', () => {
    const stderr = stream(false);
    let clock = 0;
    const progress = progressOutput({ stdout: stream(false), stderr, color: false, interactive: false }, 'backfill Person', 'rows', {}, () => clock);
    progress.update(10, 100, '10 written');
    clock = 10;
    progress.update(20, 100, '20 written');
    progress.stop();
    progress.stop();
    expect(stderr.text().trim().split('\n')).toHaveLength(2);
    expect(stderr.text()).toContain('backfill Person: 20/100 rows (20%), 20 written');
  });

  it('draws a cli-progress bar on an interactive terminal, and plain lines there under NO_COLOR', () => {
    const tty = stream(true);
    const bar = progressOutput({ stdout: stream(true), stderr: tty, color: true, interactive: true }, 'prune Person', 'audit rows', {});
    bar.update(250, 1000, '25 removed');
    bar.update(1000, 1000, '100 removed');
    bar.stop();
    expect(tty.text()).toMatch(/prune Person \[[█░]{40}\] 100% \| 1000\/1000 audit rows \| 100 removed \| \d+\/s \| \S+ left/);
    const plain = stream(true);
    const noColor = progressOutput({ stdout: stream(true), stderr: plain, color: false, interactive: true }, 'prune Person', 'audit rows', { NO_COLOR: '1' });
    noColor.update(1000, 1000, 'done');
    noColor.stop();
    expect(plain.text()).toMatch(/^prune Person: 1000\/1000 audit rows \(100%\), done, \d+\/s\n$/);
  });
});
