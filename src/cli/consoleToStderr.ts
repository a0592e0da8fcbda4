// Imported first by the executable, before MikroORM loads: MikroORM's default logger is `console.log` bound when
// its config module loads. stdout carries only what a command outputs (tables, JSON, exported rows), so that it can
// be piped and parsed; MikroORM's log (the schema check's warnings, debug output) and anything the application's
// config prints while it loads go to stderr, colored by the same rules as the CLI's own output (MikroORM colors
// unless told not to, pipes included).
import { colorAllowed } from './output/colors.js';

console.log = console.error.bind(console);
console.info = console.error.bind(console);
console.debug = console.error.bind(console);
if (!colorAllowed(process.stderr)) {
  process.env.MIKRO_ORM_NO_COLOR = '1';
}
