// The README's complete examples (code blocks with a `title="…"`), written into a consumer project to be compiled
// against the installed package, so an example that no longer compiles on MikroORM 6 or 7 fails the suite.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ReadmeExample {
  readonly title: string;
  readonly code: string;
}

const FENCE = /^```ts title="([^"]+)"\n([\s\S]*?)^```$/gm;

export function readmeExamples(): ReadmeExample[] {
  const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  return [...readme.matchAll(FENCE)].map(([, title, code]) => ({ title: title!, code: code! }));
}

/**
 * Writes the examples as the `readme` project's sources. The README imports decorators as MikroORM 7 does and
 * says that MikroORM 6 has them in `@mikro-orm/core`: on 6, that one import is swapped.
 */
export function writeReadmeProject(root: string, ormMajor: number, examples: readonly ReadmeExample[]): string {
  const project = join(root, 'readme');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer-readme', private: true, type: 'module' }));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        strict: true,
        skipLibCheck: true,
        noEmit: true,
      },
      include: ['src'],
    }),
  );
  for (const example of examples) {
    const code = ormMajor >= 7 ? example.code : example.code.replaceAll("'@mikro-orm/decorators/legacy'", "'@mikro-orm/core'");
    writeFileSync(join(project, 'src', example.title), code);
  }
  return project;
}
