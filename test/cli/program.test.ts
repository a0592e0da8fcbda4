// The CLI's pure parts: instants, terminal-safe text, colors, sizes, and how the program turns failures to load
// the config into exit 2 with the fix.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { MikroORM } from '@mikro-orm/core';
import { byteSize } from '../../src/cli/commands/status.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { parseInstant } from '../../src/cli/options.js';
import { colorAllowed } from '../../src/cli/output/colors.js';
import { OutputSink } from '../../src/cli/output/OutputSink.js';
import { terminalText } from '../../src/cli/output/terminalText.js';
import { runCli } from '../../src/cli/program.js';
import { MikroOrmCliMissing } from '../../src/mikro-orm/cliConfiguration.js';
import { captureIo } from './support/captureIo.js';

describe('parseInstant', () => {
  it('takes ISO 8601 instants with a zone, and dates as midnight UTC', () => {
    expect(parseInstant('2026-03-01T12:00:00Z', 'x').toISOString()).toBe('2026-03-01T12:00:00.000Z');
    expect(parseInstant('2026-03-01T12:00:00.123456+02:00', 'x').toISOString()).toBe('2026-03-01T10:00:00.123Z');
    expect(parseInstant('2026-03-01', 'x').toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('refuses times without a zone and what is not a date, naming the argument', () => {
    for (const text of ['2026-03-01T12:00', 'yesterday', '2026-13-01', '1700000000', '']) {
      expect(() => parseInstant(text, '--since')).toThrow(`--since must be an ISO 8601 instant with a time zone`);
    }
  });
});

describe('terminalText', () => {
  it('shows every control character, escape sequence and bidi override as an inert escape', () => {
    expect(terminalText('a\u001b[2Jb\u009b31mc\r\n\t\u0000\u007f\u202ed\u2066\u2028')).toBe('a\\x1b[2Jb\\x9b31mc\\r\\n\\t\\x00\\x7f\\u202ed\\u2066\\u2028');
    expect(terminalText('Zoë, 名前, emoji 🙂, a\\b')).toBe('Zoë, 名前, emoji 🙂, a\\b');
  });
});

describe('colorAllowed', () => {
  const tty = Object.assign(new PassThrough(), { isTTY: true });
  const pipe = new PassThrough();
  it('colors a terminal, not a pipe; NO_COLOR wins over everything, FORCE_COLOR over a pipe; CI alone colors nothing', () => {
    expect(colorAllowed(tty, {})).toBe(true);
    expect(colorAllowed(pipe, {})).toBe(false);
    expect(colorAllowed(pipe, { CI: 'true' })).toBe(false);
    expect(colorAllowed(tty, { TERM: 'dumb' })).toBe(false);
    expect(colorAllowed(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorAllowed(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorAllowed(pipe, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorAllowed(pipe, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(false);
  });
});

it('byteSize', () => {
  expect([0, 1023, 1536, 5 * 1024 ** 2, 3.25 * 1024 ** 3].map(byteSize)).toEqual(['0 B', '1023 B', '1.5 KiB', '5.0 MiB', '3.3 GiB']);
});

describe('OutputSink', () => {
  it('says false once the reader is gone (EPIPE), and throws other write errors', async () => {
    const gone = new PassThrough();
    const sink = new OutputSink(gone);
    expect(await sink.write('a')).toBe(true);
    gone.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(await sink.write('b')).toBe(false);
    const full = new PassThrough();
    const failing = new OutputSink(full);
    full.emit('error', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    await expect(failing.write('c')).rejects.toThrow('no space left on device');
  });
});

describe('loading the config', () => {
  const run = async (error: unknown) => {
    const io = captureIo();
    const status = await runCli(['status'], io, { commands: COMMANDS, openOrm: () => Promise.reject(error as Error) });
    return { status, stdout: io.out(), stderr: io.err() };
  };

  it('names the install command when @mikro-orm/cli is missing', async () => {
    expect(await run(new MikroOrmCliMissing('@mikro-orm/cli'))).toEqual({
      status: 2,
      stdout: '',
      stderr: 'error: Loading the MikroORM config as the mikro-orm CLI does needs @mikro-orm/cli, which is not installed. Install it: npm i -D @mikro-orm/cli\n',
    });
  });

  it('passes other failures on with exit 2, their message escaped for the terminal', async () => {
    expect(await run(new Error('connect ECONNREFUSED 127.0.0.1:5432 \u001b[2J'))).toEqual({ status: 2, stdout: '', stderr: 'error: connect ECONNREFUSED 127.0.0.1:5432 \\x1b[2J\n' });
  });

  it('closes the ORM after the command, also when it fails', async () => {
    let closed = 0;
    const em = { fork: () => em, getMetadata: () => ({}) };
    const orm = { em, close: () => Promise.resolve(closed++) } as unknown as MikroORM;
    const io = captureIo();
    const status = await runCli(['status'], io, { commands: COMMANDS, openOrm: () => Promise.resolve(orm) });
    // No audit trail set up on this ORM: exit 2, and closed all the same.
    expect({ status, closed }).toEqual({ status: 2, closed: 1 });
    expect(io.err()).toMatch(/^error: The MikroORM config is not set up for the audit trail\. Export withAuditTrail/);
  });
});
