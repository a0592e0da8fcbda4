import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

// The README's first command: the quickstart must print real history, made by two users.
it('runs the quickstart and prints Person history', async () => {
  const { stdout } = await promisify(execFile)('npx', ['tsx', 'examples/quickstart.ts'], { cwd: new URL('..', import.meta.url).pathname });
  const rows = stdout.split('\n').filter(line => /^[IUD] +\|/.test(line));
  expect(rows.map(row => row.split('|').map(cell => cell.trim()).slice(0, 1).concat(row.split('|')[2]!.trim()))).toEqual([
    ['I', 'alice'],
    ['I', 'alice'],
    ['I', 'alice'],
    ['U', 'bob'],
    ['U', 'bob'],
    ['D', 'alice'],
  ]);
  expect(stdout).toContain('email: ada@example.com → ada.lovelace@example.com, age: 36 → 37');
});
