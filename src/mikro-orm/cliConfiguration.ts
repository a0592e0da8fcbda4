// The one place that loads the application's MikroORM config the way the `mikro-orm` CLI does, with MikroORM's own
// loader: default paths (./src/mikro-orm.config.ts, ./mikro-orm.config.ts with TypeScript support, then
// ./dist|build|src/mikro-orm.config.js and ./mikro-orm.config.js), MIKRO_ORM_CLI_CONFIG, package.json
// "mikro-orm": { "configPaths" }, `--config`, `--context`, .env, MIKRO_ORM_* variables, CommonJS and ESM configs.
// MikroORM 6 registers ts-node (ConfigurationLoader in @mikro-orm/core); MikroORM 7 tries oxc, swc, tsx, jiti, tsimp
// (CLIHelper in @mikro-orm/cli). Both mark these methods @internal: test/cli/cliConfiguration.test.ts fails if
// they change, on MikroORM 6 and 7, and test/cli/*.test.ts load real configs through the installed bin.
import type { MikroORM } from '@mikro-orm/core';
import { createRequire } from 'node:module';
import { ormMajorVersion } from './metadata.js';

/** Where the CLI's config comes from: its `--config` paths (tried in order) and `--context`. */
export interface CliConfigSource {
  readonly configPaths?: readonly string[];
  readonly contextName?: string;
}

interface CliSettings {
  readonly useTsNode?: boolean;
  readonly preferTs?: boolean;
  readonly tsConfigPath?: string;
  readonly tsLoader?: string;
  readonly configPaths?: string[];
}

/** The methods of MikroORM's CLI helper the loading goes through (the same in 6 and 7). */
interface CliHelper {
  getORM(contextName?: string, configPaths?: string[]): Promise<MikroORM>;
  getConfigPaths(): string[] | Promise<string[]>;
}

interface ConfigurationLoader6 {
  checkPackageVersion(): string;
  getSettings(): CliSettings;
  registerTsNode(configPath?: string): boolean;
}

interface CliHelper7 extends CliHelper {
  getSettings(): CliSettings;
  registerTypeScriptSupport(configPath?: string, tsLoader?: string): Promise<boolean>;
}

/** The package whose loader the CLI uses: the application's own `@mikro-orm/cli`, as `npx mikro-orm` would run. */
export const MIKRO_ORM_CLI_PACKAGE = '@mikro-orm/cli';

const requireModule = createRequire(import.meta.url);

/** Thrown when `@mikro-orm/cli` is not installed: the caller turns it into the install command. */
export class MikroOrmCliMissing extends Error {}

/**
 * Registers TypeScript support as `mikro-orm`'s CLI does when it starts (unless the project turns it off), then
 * loads the config and initialises the ORM with `CLIHelper.getORM()`, as its commands do.
 */
export async function initOrmAsCli(source: CliConfigSource = {}): Promise<MikroORM> {
  const helper = await prepareCli();
  return helper.getORM(source.contextName, source.configPaths === undefined ? undefined : [...source.configPaths]);
}

/** The paths MikroORM's CLI tries when no `--config` is given, in order (after TypeScript support is registered). */
export async function defaultConfigPaths(): Promise<string[]> {
  return (await prepareCli()).getConfigPaths();
}

async function prepareCli(): Promise<CliHelper> {
  const cli = loadCliPackage();
  if (ormMajorVersion() < 7) {
    // CLIConfigurator.configure() of @mikro-orm/cli 6.
    const { ConfigurationLoader } = requireModule('@mikro-orm/core') as { ConfigurationLoader: ConfigurationLoader6 };
    ConfigurationLoader.checkPackageVersion();
    const settings = ConfigurationLoader.getSettings();
    if (settings.useTsNode !== false && !ConfigurationLoader.registerTsNode(settings.tsConfigPath)) {
      process.env.MIKRO_ORM_CLI_USE_TS_NODE ??= '0';
    }
    return cli.CLIHelper;
  }
  // configure() of @mikro-orm/cli 7.
  const { fs } = requireModule('@mikro-orm/core/fs-utils') as { fs: { checkPackageVersion(): string } };
  fs.checkPackageVersion();
  const helper = cli.CLIHelper as CliHelper7;
  const settings = helper.getSettings();
  if (settings.preferTs !== false && !(await helper.registerTypeScriptSupport(settings.tsConfigPath, settings.tsLoader))) {
    process.env.MIKRO_ORM_CLI_PREFER_TS ??= '0';
  }
  return helper;
}

function loadCliPackage(): { CLIHelper: CliHelper } {
  try {
    return requireModule(MIKRO_ORM_CLI_PACKAGE) as { CLIHelper: CliHelper };
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND' && String((error as Error).message).includes(`'${MIKRO_ORM_CLI_PACKAGE}'`)) {
      throw new MikroOrmCliMissing(MIKRO_ORM_CLI_PACKAGE, { cause: error });
    }
    throw error;
  }
}
