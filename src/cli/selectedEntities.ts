import type { EntityManager } from '@mikro-orm/core';
import { CliUsageError } from '../errors/CliUsageError.js';
import type { CommandOptions } from './CliCommand.js';
import { auditedEntities, auditedEntity, type CliEntity } from './auditedEntities.js';
import { flagOption } from './options.js';

/**
 * The entities a command that takes `<Entity|--all>` works on: the one named, or every audited entity in name
 * order with `--all`; a usage error for both or neither.
 */
export function selectedEntities(em: EntityManager, command: string, args: readonly string[], options: CommandOptions): CliEntity[] {
  const all = flagOption(options, 'all');
  const [name] = args;
  if (all === (name !== undefined)) {
    throw CliUsageError.usage(
      all ? `${command} takes an entity or --all, not both` : `${command} needs an entity name, or --all for every audited entity`,
      command,
    );
  }
  return name === undefined ? auditedEntities(em) : [auditedEntity(em, name)];
}
