// The `mikro-orm-audit-trail` executable (the build gives the built file its shebang and mode).
import type { CommandIo } from './CliCommand.js';
import { COMMANDS } from './commands/index.js';
import { colorAllowed } from './output/colors.js';
import { runCli } from './program.js';
import { initOrmAsCli } from '../mikro-orm/cliConfiguration.js';

// stdout carries only what a command outputs (tables, JSON, exported rows), so that it can be piped and parsed:
// MikroORM's logger, and anything the application's config prints while it loads, write to stderr instead.
console.log = console.error.bind(console);
console.info = console.error.bind(console);
console.debug = console.error.bind(console);

const io: CommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  color: colorAllowed(process.stdout),
  interactive: process.stderr.isTTY === true && !process.env.CI,
};

void runCli(process.argv.slice(2), io, { commands: COMMANDS, openOrm: initOrmAsCli }).then(code => {
  process.exitCode = code;
  // Whatever the application's config left open (a timer, a second pool) must not keep the process alive.
  setTimeout(() => process.exit(code), 2_000).unref();
});
