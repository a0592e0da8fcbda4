import { AuditTrailErrorBase } from './AuditTrailErrorBase.js';

const HELP = 'npx mikro-orm-audit-trail --help';

/**
 * A command line that cannot run: wrong arguments, or an application config the CLI cannot use. The CLI prints
 * the message, which says the fix, and exits with 2.
 */
export class CliUsageError extends AuditTrailErrorBase {
  override readonly name = 'CliUsageError';

  /** Exit code of the process. */
  readonly exitCode = 2;

  /** A message of the argument parser (unknown command or option, missing argument), with where to look. */
  static usage(message: string, command?: string): CliUsageError {
    const help = command === undefined ? HELP : `npx mikro-orm-audit-trail ${command} --help`;
    return new CliUsageError('AUDIT_CLI_USAGE', `${message.replace(/^error: /, '').replace(/\.?\s*$/, '')}. See ${help}.`);
  }

  /** An argument or option value of the wrong form. */
  static badValue(what: string, expected: string, actual: string): CliUsageError {
    return new CliUsageError('AUDIT_CLI_USAGE', `${what} must be ${expected}, got ${JSON.stringify(actual)}.`);
  }

  /** An entity name that is not one of the audited entities (names are case-sensitive). */
  static unknownEntity(name: string, audited: readonly string[]): CliUsageError {
    const close = audited.find(candidate => candidate.toLowerCase() === name.toLowerCase());
    return new CliUsageError(
      'AUDIT_CLI_USAGE',
      `'${name}' is not an audited entity${close === undefined ? '' : ` (names are case-sensitive: did you mean '${close}'?)`}. ` +
        `Audited entities: ${audited.join(', ')}.`,
      { entity: name },
    );
  }

  /** The config was not wrapped in `withAuditTrail()`, or marks no entity. */
  static noAuditedEntities(setUp: boolean): CliUsageError {
    return new CliUsageError(
      'AUDIT_CLI_CONFIG',
      setUp
        ? 'The MikroORM config has no audited entities. Mark an entity with @AuditTrail() (or auditTrail(schema)) and list it in `entities`, ' +
            'or point the CLI at the config that does: --config <path>, MIKRO_ORM_CLI_CONFIG, or package.json "mikro-orm": { "configPaths": [...] }.'
        : 'The MikroORM config is not set up for the audit trail. Export withAuditTrail({ ... }) from it, or point the CLI at the config that does: ' +
            '--config <path>, MIKRO_ORM_CLI_CONFIG, or package.json "mikro-orm": { "configPaths": [...] }.',
    );
  }

  /** MikroORM could not load a config: its reason, and where the CLI looks. */
  static configNotLoaded(reason: string): CliUsageError {
    return new CliUsageError(
      'AUDIT_CLI_CONFIG',
      `${reason.replace(/\.?\s*$/, '')}. The CLI loads the MikroORM config as the mikro-orm CLI does: give its path with --config <path> ` +
        `or MIKRO_ORM_CLI_CONFIG, or list it in package.json "mikro-orm": { "configPaths": [...] }. For a TypeScript config it registers ` +
        `the loader MikroORM's CLI would (ts-node on MikroORM 6; oxc, swc, tsx, jiti or tsimp on 7): install one. For a JavaScript ` +
        `config next to such a loader but without a tsconfig.json, set MIKRO_ORM_CLI_USE_TS_NODE=false (6) or MIKRO_ORM_CLI_PREFER_TS=false (7).`,
    );
  }

  /** A package MikroORM's loader wants listed in the project's package.json is not. */
  static notADependency(name: string): CliUsageError {
    return new CliUsageError(
      'AUDIT_CLI_CONFIG',
      `MikroORM loads configs only for a project that lists ${name} in its package.json, as its own CLI does. ` +
        `Add it: npm i -D ${name} (or set MIKRO_ORM_ALLOW_GLOBAL_CLI=1).`,
    );
  }

  /** A package the CLI needs for this MikroORM version is not installed. */
  static missingPackage(name: string, why: string): CliUsageError {
    return new CliUsageError('AUDIT_CLI_CONFIG', `${why} needs ${name}, which is not installed. Install it: npm i -D ${name}`);
  }
}
