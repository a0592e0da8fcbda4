import { AuditTrailErrorBase } from './AuditTrailErrorBase.js';
import { describeValue } from './describeValue.js';

/**
 * Raised while `MikroORM.init` discovers entities: an audit trail that is configured wrongly never starts.
 * Every message names the entity, the field and the fix.
 */
export class AuditTrailConfigError extends AuditTrailErrorBase {
  override readonly name = 'AuditTrailConfigError';

  static reservedName(entity: string, property: string, reserved: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_RESERVED_NAME',
      `${entity}.${property} clashes with the audit column '${reserved}': names starting with '_audit_' are reserved ` +
        `for the audit table. Rename the property (or its column) on ${entity}.`,
      { entity },
    );
  }

  static trackFieldClash(entity: string, field: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_TRACK_FIELD_CLASH',
      `Track field '${field}' of ${entity} has the same name as the property ${entity}.${field}. ` +
        `Rename the track field, e.g. '${field}By'.`,
      { entity },
    );
  }

  static trackFieldColumnClash(entity: string, field: string, column: string, property: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_TRACK_FIELD_COLUMN_CLASH',
      `Track field '${field}' of ${entity} maps to column '${column}', which ${entity}.${property} already uses. ` +
        `Rename the track field.`,
      { entity },
    );
  }

  static duplicateTrackField(entity: string, field: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_DUPLICATE_TRACK_FIELD',
      `Track field '${field}' is declared twice for ${entity} (in @AuditTrail({ trackFields }) and/or globalTrackFields). ` +
        `Give each track field a unique name.`,
      { entity },
    );
  }

  static trackFieldWithoutType(entity: string, field: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_TRACK_FIELD_WITHOUT_TYPE',
      `Track field '${field}' of ${entity} has no column type. Add \`type: 'string'\` (or any MikroORM type), ` +
        `or \`entity: () => User\` for a reference column.`,
      { entity },
    );
  }

  static trackFieldWithTypeAndEntity(entity: string, field: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_TRACK_FIELD_WITH_TYPE_AND_ENTITY',
      `Track field '${field}' of ${entity} sets both \`type\` and \`entity\`. Keep \`entity\` for a reference column, ` +
        `or \`type\` for a scalar one.`,
      { entity },
    );
  }

  static invalidOption(entity: string, option: string, expected: string, actual: unknown): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_INVALID_OPTION',
      `@AuditTrail option '${option}' of ${entity} must be ${expected}, got ${describeValue(actual)}. Fix the option value.`,
      { entity },
    );
  }

  static invalidModuleOption(option: string, expected: string, actual: unknown): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_INVALID_MODULE_OPTION',
      `withAuditTrail() option '${option}' must be ${expected}, got ${describeValue(actual)}. Fix the option value.`,
    );
  }

  static syncInit(): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_SYNC_INIT',
      `The audit trail was set up with withAuditTrail(), but MikroORM was initialised synchronously (MikroORM.initSync() ` +
        `or new MikroORM()), which does not wait for asynchronous discovery hooks. Use \`await MikroORM.init(config)\`.`,
    );
  }

  static unknownOption(entity: string, option: string, known: readonly string[]): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_UNKNOWN_OPTION',
      `@AuditTrail option '${option}' of ${entity} is not known. Known options: ${known.join(', ')}.`,
      { entity },
    );
  }

  static unknownProperty(entity: string, option: string, property: string, known: readonly string[]): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_UNKNOWN_PROPERTY',
      `@AuditTrail option '${option}' of ${entity} names '${property}', which is not a property of ${entity}. ` +
        `Use one of: ${known.join(', ')}.`,
      { entity },
    );
  }

  static primaryKeyFiltered(entity: string, option: string, property: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_PRIMARY_KEY_FILTERED',
      `@AuditTrail option '${option}' of ${entity} names ${entity}.${property}, its primary key: history is linked to ` +
        `its row by the key, so it is always copied as it is. Remove '${property}' from '${option}'.`,
      { entity },
    );
  }

  static maskedRelation(entity: string, property: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_MASKED_RELATION',
      `@AuditTrail option 'mask' of ${entity} names ${entity}.${property}, which is not a scalar column (a relation, ` +
        `embeddable or collection): only scalar properties can be masked. Put '${property}' in 'exclude' instead.`,
      { entity },
    );
  }

  static maskedAndExcluded(entity: string, property: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_MASKED_AND_EXCLUDED',
      `${entity}.${property} is both excluded and masked by @AuditTrail: an excluded property has no column to mask. ` +
        `Keep it in one of 'exclude' and 'mask'.`,
      { entity },
    );
  }

  static notDiscovered(entity: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_NOT_DISCOVERED',
      `${entity} is marked with @AuditTrail() but was not discovered as an entity. Decorate it with @Entity() ` +
        `and list it in the config's \`entities\`.`,
      { entity },
    );
  }

  static auditSchemaMissing(entity: string, marker: '@AuditTrail()' | 'auditTrail()', autoLoadEntities: boolean): AuditTrailConfigError {
    const fix = autoLoadEntities
      ? `With \`autoLoadEntities\`, @mikro-orm/nestjs adds entities after withAuditTrail(config) ran: register the audit ` +
        `entity beside ${entity}, MikroOrmModule.forFeature([${entity}, auditOf(${entity})]).`
      : `Wrap the config in withAuditTrail(config) with ${entity} listed in \`entities\`, or add auditOf(${entity}) to ` +
        `\`entities\` (with folder discovery, export auditOf(${entity}) from a discovered file, e.g. next to ${entity}).`;
    return new AuditTrailConfigError('AUDIT_AUDIT_SCHEMA_MISSING', `${entity} is marked with ${marker} but its audit entity is not in the config. ${fix}`, { entity });
  }

  static notMarked(entity: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_NOT_MARKED',
      `${entity} is not marked for auditing. Add @AuditTrail() to the class, or call auditTrail(${entity}Schema, options) ` +
        `for an EntitySchema, before calling auditOf(${entity}).`,
      { entity },
    );
  }

  static notAnAuditedCollection(entity: string, property: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_NOT_AN_AUDITED_COLLECTION',
      `${entity}.${property} is not an audited many-to-many collection: it needs @AuditTrail() on ${entity} and to be ` +
        `the owning side of a collection without an explicit pivotEntity (audit such a pivot entity with auditOf()).`,
      { entity },
    );
  }

  static tableClash(entity: string, table: string, other: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_TABLE_CLASH',
      `The audit table '${table}' of ${entity} is already the table of entity ${other}. ` +
        `Choose another name with @AuditTrail({ tableName: '...' }).`,
      { entity },
    );
  }

  static entityNameClash(entity: string, auditEntity: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_ENTITY_NAME_CLASH',
      `The audit entity of ${entity} is named ${auditEntity}, but an entity with that name already exists. ` +
        `Rename the existing ${auditEntity} entity.`,
      { entity },
    );
  }

  static noPrimaryKey(entity: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_NO_PRIMARY_KEY',
      `${entity} has no primary key (virtual and view entities have none), so its history cannot be linked to a row. ` +
        `Remove @AuditTrail() from ${entity}, or give it a @PrimaryKey().`,
      { entity },
    );
  }

  static unsupportedInheritance(entity: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_UNSUPPORTED_INHERITANCE',
      `${entity} uses single table inheritance, which the audit trail does not support yet. ` +
        `Remove @AuditTrail() from ${entity}, or map it without a discriminator.`,
      { entity },
    );
  }

  static metadataUnreadable(discovered: number): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_METADATA_UNREADABLE',
      `MikroORM discovered ${discovered} entities but the audit trail could not read them after discovery. ` +
        `This MikroORM version is not supported yet: pin @mikro-orm/* to a tested version (6.6.x or 7.2.x).`,
    );
  }

  static auditTablesMismatch(mismatches: readonly { table: string; column?: string; problem: string }[]): AuditTrailConfigError {
    const list = mismatches.map(m => `${m.column ? `${m.table}.${m.column}` : m.table} ${m.problem}`).join('; ');
    return new AuditTrailConfigError(
      'AUDIT_AUDIT_TABLES_MISMATCH',
      `Audit tables in the database do not match their audited entities: ${list}. Audit writes to these tables ` +
        `will fail or lose history until fixed: generate and run a migration (npx mikro-orm migration:create, ` +
        `then migration:up), or fix the table by hand.`,
    );
  }

  static backstopActorMissing(entity: string, field: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_BACKSTOP_ACTOR_MISSING',
      `triggerBackstop.actorField names '${field}', which is not a track field of ${entity}, so its trigger rows ` +
        `would have no actor. Add '${field}' to globalTrackFields (or to ${entity}'s trackFields), or fix actorField.`,
      { entity },
    );
  }

  static backstopUnsupported(platform: string, fix = 'Remove triggerBackstop from withAuditTrail() options for this database.'): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_BACKSTOP_UNSUPPORTED',
      `The triggerBackstop option installs PostgreSQL triggers (and MySQL/MariaDB ones with MikroORM 6), but this ORM uses ${platform}. ${fix}`,
    );
  }

  static noTransactions(reason: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_NO_TRANSACTIONS',
      `The audit trail writes history in the same transaction as the change, but ${reason}. ` +
        `Remove \`implicitTransactions: false\` from the config, or use a driver with transactions.`,
    );
  }
}
