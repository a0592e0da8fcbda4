import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// Each framework is an optional peer dependency: only its own entry (mikro-orm-audit-trail/<framework>) may load it,
// and nothing the root entry loads may reach an integration, or `import 'mikro-orm-audit-trail'` would need them all.

const src = fileURLToPath(new URL('../../src', import.meta.url));
const FRAMEWORKS: [RegExp, string][] = [
  [/^(@nestjs\/|rxjs$)/, 'integrations/nestjs/'],
  [/^fastify$/, 'integrations/fastify/'],
  [/^koa$/, 'integrations/koa/'],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gms)].map(match => match[1]!);
}

it('imports each framework only in its own integration folder', () => {
  const misplaced = sourceFiles(src).flatMap(file => {
    const path = relative(src, file);
    return importsOf(file)
      .filter(specifier => FRAMEWORKS.some(([pattern, folder]) => pattern.test(specifier) && !path.startsWith(folder)))
      .map(specifier => `${path} imports ${specifier}`);
  });
  expect(misplaced).toEqual([]);
});

it('keeps the root entry free of integrations', () => {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) {
      return;
    }
    seen.add(file);
    for (const specifier of importsOf(file).filter(s => s.startsWith('.'))) {
      visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
    }
  };
  visit(join(src, 'index.ts'));
  expect(seen.size).toBeGreaterThan(50);
  expect([...seen].map(file => relative(src, file)).filter(path => path.startsWith('integrations'))).toEqual([]);
  expect(sourceFiles(join(src, 'integrations')).length).toBeGreaterThan(5);
});
