import type { Platform } from '@mikro-orm/core';
import type { TriggerBackstopOptions } from '../define/AuditTrailOptions.js';
import { AuditTrailConfigError } from '../errors/index.js';
import { platformName } from '../mikro-orm/dialectOf.js';
import { installBackstopMigrations } from '../mikro-orm/backstopMigrationGenerator.js';
import { hasMetadataTriggers, addMetadataTriggers } from '../mikro-orm/metadataTriggers.js';
import { buildBackstopStatements, buildBackstopTriggerDefinitions } from '../sql/backstopTriggers.js';
import type { AuditPlan } from './AuditPlan.js';
import { backstopTableOf } from './backstopTable.js';

/**
 * Checks the `triggerBackstop` option against the audited entities and installs the triggers where the schema
 * tools create them: MikroORM 7's metadata triggers (its schema diff creates and keeps them), or MikroORM 6's
 * migration generator.
 */
export function installBackstop(plans: readonly AuditPlan[], options: TriggerBackstopOptions, platform: Platform): void {
  const dialect = plans[0]?.shape.dialect;
  if (!dialect) {
    return;
  }
  if (dialect === 'sqlite') {
    throw AuditTrailConfigError.backstopUnsupported(platformName(platform));
  }
  const actorField = options.actorField;
  const withoutActor = actorField === undefined ? undefined : plans.find(plan => !plan.trackFields.some(track => track.field.name === actorField));
  if (withoutActor) {
    throw AuditTrailConfigError.backstopActorMissing(withoutActor.sourceName, actorField!);
  }
  const zone = platform.getTimezone();
  if (dialect === 'mysql' && (zone === undefined || zone === 'local')) {
    // A MySQL/MariaDB trigger writes `datetime` in one fixed offset: the application's local zone would be the
    // zone of whichever machine generated the migration, wrong on another machine or across daylight saving time.
    throw AuditTrailConfigError.backstopUnsupported(
      `${platformName(platform)} with dates stored in the application's local time zone (MikroORM's timezone unset or 'local'), which a trigger cannot know`,
      `Set forceUtcTimezone: true (or a fixed timezone such as '+00:00') in the MikroORM config, or remove triggerBackstop.`,
    );
  }
  const inMetadata = plans.every(plan => hasMetadataTriggers(plan.source));
  if (inMetadata && dialect === 'mysql') {
    throw AuditTrailConfigError.backstopUnsupported(`${platformName(platform)} with MikroORM 7, whose schema diff re-creates MySQL/MariaDB triggers in every migration`);
  }
  if (inMetadata) {
    for (const plan of plans) {
      addMetadataTriggers(plan.source, buildBackstopTriggerDefinitions(backstopTableOf(plan, options)));
    }
    return;
  }
  installBackstopMigrations(
    platform.getConfig(),
    plans.map(plan => ({ tables: [plan.shape.sourceTable, plan.shape.auditTable], statements: buildBackstopStatements(backstopTableOf(plan, options)) })),
  );
}
