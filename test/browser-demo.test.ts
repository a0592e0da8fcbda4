import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

// The second demo named in the README: `npm run demo:browser` serves the history browser on the demo's SQLite data
// and prints its URL; with `--once` it requests that URL itself, prints the answer's status and exits.
it('starts the history browser on the demo data, prints its URL, and answers it with 200', async () => {
  const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'demo:browser', '--', '--once'], {
    cwd: new URL('..', import.meta.url).pathname,
  });
  const url = /^History browser: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(stdout)?.[1];
  expect(url, stdout).toBeDefined();
  expect(stdout).toContain(`GET ${url} -> 200, lists Person, Team`);
});
