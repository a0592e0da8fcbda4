import { PassThrough } from 'node:stream';
import type { MikroORM } from '@mikro-orm/core';
import type { CommandIo, ExitCode } from '../../../src/cli/CliCommand.js';
import { COMMANDS } from '../../../src/cli/commands/index.js';
import { runCli } from '../../../src/cli/program.js';

/** What one in-process run of the CLI printed, and its exit code. */
export interface CliResult {
  readonly status: ExitCode;
  readonly stdout: string;
  readonly stderr: string;
}

/** Streams that keep what is written to them, as a command's io. */
export function captureIo(color = false): CommandIo & { readonly out: () => string; readonly err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on('data', (chunk: Buffer) => chunks.out.push(chunk));
  stderr.on('data', (chunk: Buffer) => chunks.err.push(chunk));
  return {
    stdout,
    stderr,
    color,
    interactive: false,
    out: () => Buffer.concat(chunks.out).toString('utf8'),
    err: () => Buffer.concat(chunks.err).toString('utf8'),
  };
}

/**
 * Runs a command line in this process on `orm` (the program closes the ORM it opened after each command: here
 * it gets a view of `orm` whose close does nothing, so the suite's ORM stays open).
 */
export async function runInProcess(orm: MikroORM, argv: readonly string[], color = false): Promise<CliResult> {
  const io = captureIo(color);
  const kept = Object.create(orm, { close: { value: () => Promise.resolve() } }) as MikroORM;
  const status = await runCli(argv, io, { commands: COMMANDS, openOrm: () => Promise.resolve(kept) });
  return { status, stdout: io.out(), stderr: io.err() };
}
