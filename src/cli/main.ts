// The `mikro-orm-audit-trail` executable (the build gives the built file its shebang and mode).
// First: the console to stderr, before anything loads MikroORM.
import './consoleToStderr.js';
import type { CommandIo } from './CliCommand.js';
import { COMMANDS } from './commands/index.js';
import { colorAllowed } from './output/colors.js';
import { runCli } from './program.js';
import { initOrmAsCli } from '../mikro-orm/cliConfiguration.js';

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
