// Builds the package as one CommonJS implementation with ESM entry points that re-export it.
//
// Why not two builds: a project that `require`s the package in one file and `import`s it in another (a CommonJS
// NestJS app with an ESM migration, a CommonJS MikroORM CLI config next to ESM code) would load two copies, and
// the audited-entity registry and `auditContext` would split in two: entities registered in one copy are not
// audited by the other, and a user set in one context is not seen by the other. One CommonJS implementation,
// which both `require` and `import` reach, has exactly one copy of that state, on every Node version `engines`
// admits (Node 20.0 has no `require(esm)`, so the implementation cannot be ESM).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const cjs = join(dist, 'cjs');
const esm = join(dist, 'esm');

/** The public entry points: subpath → source file (without extension), as package.json `exports` lists them. */
export const ENTRIES = JSON.parse(readFileSync(join(root, 'scripts/entries.json'), 'utf8'));

rmSync(dist, { recursive: true, force: true });

// Declarations (and their maps) from tsc, which also type-checks the sources as they are published.
const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) {
  process.exit(tsc.status ?? 1);
}

// The implementation: each source file transpiled on its own to CommonJS (no bundling, so stack traces and
// source maps name the library's real files). `import.meta.url` becomes the CommonJS file's own URL.
const sources = listSources(join(root, 'src'));
const usesImportMeta = sources.filter(file => readFileSync(file, 'utf8').includes('import.meta'));
const common = { outdir: cjs, outbase: join(root, 'src'), format: 'cjs', platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };
// The `mikro-orm-audit-trail` executable (package.json `bin`): the CLI's entry, with a shebang (and made executable).
const bin = join(root, 'src/cli/main.ts');
await build({ ...common, entryPoints: sources.filter(file => !usesImportMeta.includes(file) && file !== bin) });
await build({ ...common, entryPoints: [bin], banner: { js: '#!/usr/bin/env node' } });
chmodSync(join(cjs, 'cli/main.js'), 0o755);
await build({
  ...common,
  entryPoints: usesImportMeta,
  define: { 'import.meta.url': '__moduleUrl' },
  banner: { js: '"use strict";\nconst __moduleUrl = require("node:url").pathToFileURL(__filename).href;' },
});
writeFileSync(join(cjs, 'package.json'), JSON.stringify({ type: 'commonjs' }, null, 2) + '\n');

// The ESM entry points: named exports read from the one CommonJS implementation.
const requireBuilt = createRequire(join(cjs, 'index.js'));
mkdirSync(esm, { recursive: true });
for (const [subpath, source] of Object.entries(ENTRIES)) {
  const target = `../cjs/${source}.js`;
  const names = Object.keys(requireBuilt(join(cjs, `${source}.js`))).filter(name => name !== '__esModule').sort();
  const file = subpath === '.' ? 'index' : subpath.slice(2);
  writeFileSync(
    join(esm, `${file}.js`),
    `import implementation from '${target}';\n\nexport const {\n${names.map(name => `  ${name},`).join('\n')}\n} = implementation;\n`,
  );
  writeFileSync(join(esm, `${file}.d.ts`), `export * from '${target}';\n`);
}

function listSources(dir) {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listSources(path) : path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

console.log(`built ${sources.length} modules to ${relative(root, cjs)}, ${Object.keys(ENTRIES).length} ESM entries to ${relative(root, esm)}`);
