// The seam to MikroORM's config loader (src/mikro-orm/cliConfiguration.ts): fails if MikroORM 6 or 7 renames or
// reshapes the @internal methods it goes through, or changes where its CLI looks for a config. The installed bin
// loading real TypeScript, ESM and CommonJS configs is tested in bin-config.test.ts.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { defaultConfigPaths, initOrmAsCli } from '../../src/mikro-orm/cliConfiguration.js';
import { ormMajor } from '../support/mikro.js';

const require = createRequire(import.meta.url);
const fixture = fileURLToPath(new URL('./fixtures/seam/contexts.config.mjs', import.meta.url));
const saved = { ...process.env };

// TypeScript loaders are registered in the spawned bin's tests, not into this test process.
process.env.MIKRO_ORM_CLI_USE_TS_NODE = 'false';
process.env.MIKRO_ORM_CLI_PREFER_TS = 'false';

afterEach(() => {
  process.env = { ...saved, MIKRO_ORM_CLI_USE_TS_NODE: 'false', MIKRO_ORM_CLI_PREFER_TS: 'false' };
});

it(`MikroORM ${ormMajor} still has the loader methods the CLI calls`, () => {
  const { CLIHelper } = require('@mikro-orm/cli') as { CLIHelper: Record<string, unknown> };
  expect(typeof CLIHelper.getORM).toBe('function');
  expect(typeof CLIHelper.getConfigPaths).toBe('function');
  if (ormMajor < 7) {
    const { ConfigurationLoader } = require('@mikro-orm/core') as { ConfigurationLoader: Record<string, unknown> };
    expect([ConfigurationLoader.checkPackageVersion, ConfigurationLoader.getSettings, ConfigurationLoader.registerTsNode].map(f => typeof f)).toEqual(['function', 'function', 'function']);
  } else {
    const { fs } = require('@mikro-orm/core/fs-utils') as { fs: Record<string, unknown> };
    expect(typeof fs.checkPackageVersion).toBe('function');
    expect([CLIHelper.getSettings, CLIHelper.registerTypeScriptSupport].map(f => typeof f)).toEqual(['function', 'function']);
  }
});

it('looks where the mikro-orm CLI looks: MIKRO_ORM_CLI_CONFIG, then (TypeScript off here) dist|build|src and the root', async () => {
  process.env.MIKRO_ORM_CLI_CONFIG = './config/orm.js';
  const build = existsSync('dist') ? 'dist' : existsSync('build') ? 'build' : 'src';
  expect(await defaultConfigPaths()).toEqual(['./config/orm.js', `./${build}/mikro-orm.config.js`, './mikro-orm.config.js']);
});

it('loads the config file given with --config and picks the --context from the array it exports', async () => {
  const second = await initOrmAsCli({ configPaths: ['./does-not-exist.js', fixture], contextName: 'second' });
  expect(second.config.get('dbName')).toBe('seam-second.sqlite');
  expect(second.getMetadata().find('SeamThing')).toBeDefined();
  await second.close(true);
  const first = await initOrmAsCli({ configPaths: [fixture] });
  expect(first.config.get('dbName')).toBe(':memory:');
  await first.close(true);
});

it('fails with MikroORM\'s own messages for a missing file or context', async () => {
  await expect(initOrmAsCli({ configPaths: ['./nowhere.config.js'] })).rejects.toThrow("MikroORM config file not found in ['./nowhere.config.js']");
  await expect(initOrmAsCli({ configPaths: [fixture], contextName: 'third' })).rejects.toThrow(`MikroORM config 'third' was not found within the config file '${fixture}'`);
});
