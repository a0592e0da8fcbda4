/**
 * Raised while `MikroORM.init` discovers entities: an audit trail that is configured wrongly never starts.
 * Every message names the entity, the field and the fix.
 */
export class AuditTrailConfigError extends Error {
  override readonly name = 'AuditTrailConfigError';

  static reservedName(entity: string, property: string, reserved: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `${entity}.${property} clashes with the audit column '${reserved}': names starting with '_audit_' are reserved ` +
        `for the audit table. Rename the property (or its column) on ${entity}.`,
    );
  }

  static trackFieldClash(entity: string, field: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `Track field '${field}' of ${entity} has the same name as the property ${entity}.${field}. ` +
        `Rename the track field, e.g. '${field}By'.`,
    );
  }

  static trackFieldColumnClash(entity: string, field: string, column: string, property: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `Track field '${field}' of ${entity} maps to column '${column}', which ${entity}.${property} already uses. ` +
        `Rename the track field.`,
    );
  }

  static duplicateTrackField(entity: string, field: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `Track field '${field}' is declared twice for ${entity} (in @AuditTrail({ trackFields }) and/or globalTrackFields). ` +
        `Give each track field a unique name.`,
    );
  }

  static trackFieldWithoutType(entity: string, field: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `Track field '${field}' of ${entity} has no column type. Add \`type: 'string'\` (or any MikroORM type), ` +
        `or \`entity: () => User\` for a reference column.`,
    );
  }

  static trackFieldWithTypeAndEntity(entity: string, field: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `Track field '${field}' of ${entity} sets both \`type\` and \`entity\`. Keep \`entity\` for a reference column, ` +
        `or \`type\` for a scalar one.`,
    );
  }

  static invalidOption(entity: string, option: string, expected: string, actual: unknown): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `@AuditTrail option '${option}' of ${entity} must be ${expected}, got ${describe(actual)}. Fix the option value.`,
    );
  }

  static unknownOption(entity: string, option: string, known: readonly string[]): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `@AuditTrail option '${option}' of ${entity} is not known. Known options: ${known.join(', ')}.`,
    );
  }

  static unknownProperty(entity: string, option: string, property: string, known: readonly string[]): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `@AuditTrail option '${option}' of ${entity} names '${property}', which is not a property of ${entity}. ` +
        `Use one of: ${known.join(', ')}.`,
    );
  }

  static primaryKeyFiltered(entity: string, option: string, property: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `@AuditTrail option '${option}' of ${entity} names ${entity}.${property}, its primary key: history is linked to ` +
        `its row by the key, so it is always copied as it is. Remove '${property}' from '${option}'.`,
    );
  }

  static maskedRelation(entity: string, property: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `@AuditTrail option 'mask' of ${entity} names ${entity}.${property}, which is not a scalar column (a relation, ` +
        `embeddable or collection): only scalar properties can be masked. Put '${property}' in 'exclude' instead.`,
    );
  }

  static maskedAndExcluded(entity: string, property: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `${entity}.${property} is both excluded and masked by @AuditTrail: an excluded property has no column to mask. ` +
        `Keep it in one of 'exclude' and 'mask'.`,
    );
  }

  static notAnEntity(entity: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `${entity} is marked with @AuditTrail() but was not discovered as an entity. Decorate it with @Entity() ` +
        `and list it in the config's \`entities\`.`,
    );
  }

  static auditSchemaMissing(entity: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `${entity} is marked with @AuditTrail() but its audit entity is not in the config. Wrap the config in ` +
        `withAuditTrail(config) with ${entity} listed in \`entities\`, or add auditOf(${entity}) to \`entities\`.`,
    );
  }

  static notMarked(entity: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `${entity} is not marked for auditing. Add @AuditTrail() to the class, or call auditTrail(${entity}Schema, options) ` +
        `for an EntitySchema, before calling auditOf(${entity}).`,
    );
  }

  static notAnAuditedCollection(entity: string, property: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `${entity}.${property} is not an audited many-to-many collection: it needs @AuditTrail() on ${entity} and to be ` +
        `the owning side of a collection without an explicit pivotEntity (audit such a pivot entity with auditOf()).`,
    );
  }

  static tableClash(entity: string, table: string, other: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `The audit table '${table}' of ${entity} is already the table of entity ${other}. ` +
        `Choose another name with @AuditTrail({ tableName: '...' }).`,
    );
  }

  static entityNameClash(entity: string, auditEntity: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `The audit entity of ${entity} is named ${auditEntity}, but an entity with that name already exists. ` +
        `Rename the existing ${auditEntity} entity.`,
    );
  }

  static noPrimaryKey(entity: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `${entity} has no primary key (virtual and view entities have none), so its history cannot be linked to a row. ` +
        `Remove @AuditTrail() from ${entity}, or give it a @PrimaryKey().`,
    );
  }

  static unsupportedInheritance(entity: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `${entity} uses single table inheritance, which the audit trail does not support yet. ` +
        `Remove @AuditTrail() from ${entity}, or map it without a discriminator.`,
    );
  }

  static metadataUnreadable(discovered: number): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `MikroORM discovered ${discovered} entities but the audit trail could not read them after discovery. ` +
        `This MikroORM version is not supported yet: pin @mikro-orm/* to a tested version (6.6.x or 7.2.x).`,
    );
  }

  static auditTablesMismatch(mismatches: readonly { table: string; column?: string; problem: string }[]): AuditTrailConfigError {
    const list = mismatches.map(m => `${m.column ? `${m.table}.${m.column}` : m.table} ${m.problem}`).join('; ');
    return new AuditTrailConfigError(
      `Audit tables in the database do not match their audited entities: ${list}. Audit writes to these tables ` +
        `will fail or lose history until fixed: generate and run a migration (npx mikro-orm migration:create, ` +
        `then migration:up), or fix the table by hand.`,
    );
  }

  static backstopActorMissing(entity: string, field: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `triggerBackstop.actorField names '${field}', which is not a track field of ${entity}, so its trigger rows ` +
        `would have no actor. Add '${field}' to globalTrackFields (or to ${entity}'s trackFields), or fix actorField.`,
    );
  }

  static backstopUnsupported(platform: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `The triggerBackstop option installs PostgreSQL triggers (and MySQL/MariaDB ones with MikroORM 6), but this ORM uses ${platform}. ` +
        `Remove triggerBackstop from withAuditTrail() options for this database.`,
    );
  }

  static noTransactions(reason: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      `The audit trail writes history in the same transaction as the change, but ${reason}. ` +
        `Remove \`implicitTransactions: false\` from the config, or use a driver with transactions.`,
    );
  }
}

/** Raised at run time when something would break the audit trail's guarantees. */
export class AuditTrailError extends Error {
  override readonly name = 'AuditTrailError';

  static readOnly(auditEntity: string, operation: string): AuditTrailError {
    return new AuditTrailError(
      `${auditEntity} rows are a security record written only by mikro-orm-audit-trail: they cannot be ${operation} ` +
        `through the EntityManager. Read them with em.find(); change the source entity instead.`,
    );
  }

  static writtenWithSql(auditEntity: string, table: string): AuditTrailError {
    return new AuditTrailError(
      `${auditEntity} rows (table ${table}) are a security record appended only by mikro-orm-audit-trail: ` +
        `this statement would change them. Change the source entity instead; for deliberate maintenance ` +
        `(test cleanup, pruning) wrap the call in allowAuditTableWrites(() => ...).`,
    );
  }

  static unauditedWrite(entity: string, call: string): AuditTrailError {
    return new AuditTrailError(
      `${call} on the audited entity ${entity} cannot be audited: the fields it matches existing rows on cannot be ` +
        `told (rows with different fields, or a path into an embeddable or JSON), so inserts and updates cannot be told ` +
        `apart. Give onConflictFields with plain property names, or use em.insert()/em.nativeUpdate() or entities and em.flush().`,
    );
  }

  static unauditedStatement(entity: string, table: string): AuditTrailError {
    return new AuditTrailError(
      `This statement writes to ${table}, the table of the audited entity ${entity}, outside em.flush() and the ` +
        `audited native writes, so it would leave no history (a query builder's insert/update/delete, or ` +
        `em.execute()). Use entities and em.flush(), or em.nativeUpdate()/nativeDelete()/insert()/insertMany(); for ` +
        `deliberate unaudited maintenance wrap the call in allowUnauditedWrites(() => …), or set strict: false.`,
    );
  }

  static queryBuilderUpsert(entity: string): AuditTrailError {
    return new AuditTrailError(
      `A query builder's insert() with onConflict() on the audited entity ${entity} may update existing rows and ` +
        `cannot say which, so it cannot be audited. Use em.upsert()/em.upsertMany(), which are.`,
    );
  }

  static queryBuilderOutsideTransaction(entity: string, call: string): AuditTrailError {
    return new AuditTrailError(
      `A query builder's ${call} on the audited entity ${entity} runs outside a transaction, so its audit rows could ` +
        `not be written with it. Create the query builder from the EntityManager that em.transactional() passes, or ` +
        `use em.nativeUpdate()/em.nativeDelete(), which open their own.`,
    );
  }

  static foreignTransactionContext(entity: string): AuditTrailError {
    return new AuditTrailError(
      `A native write on the audited entity ${entity} was given a transaction (options.ctx) other than the ` +
        `EntityManager's own, so its audit rows could not be written in it. Call it on the EntityManager of that ` +
        `transaction (the one em.transactional() passes) instead.`,
    );
  }

  static outsideTransaction(entity: string): AuditTrailError {
    return new AuditTrailError(
      `Audit rows for ${entity} would be written outside the change's transaction. ` +
        `Flush inside em.transactional() or keep MikroORM's implicit transactions on.`,
    );
  }

  static snapshotMissing(entity: string, expected: number, written: number): AuditTrailError {
    return new AuditTrailError(
      `Only ${written} of ${expected} ${entity} rows could be copied into the audit table: the others no longer exist ` +
        `in the flush's transaction (deleted by the database, e.g. ON DELETE CASCADE). The flush fails so that the change is not committed without its history.`,
    );
  }

  static notAnEntity(entity: string): AuditTrailError {
    return new AuditTrailError(`${entity} is not an entity of this EntityManager's ORM: list it in the config's \`entities\`.`);
  }

  static notAnAuditRow(call: string, argument: string): AuditTrailError {
    return new AuditTrailError(
      `${call}: the ${argument} argument is not an audit row. Pass rows read from an audit entity, e.g. ` +
        `em.find(auditOf(Person), …) or auditHistory(em, Person, id).`,
    );
  }

  static pruneCriteriaMissing(entity: string): AuditTrailError {
    return new AuditTrailError(
      `pruneAudit() for ${entity} needs olderThan, keepLast or both, to say which versions go: e.g. { keepLast: 10 }.`,
    );
  }

  static invalidPruneOption(entity: string, option: string, expected: string, actual: unknown): AuditTrailError {
    return new AuditTrailError(`pruneAudit() for ${entity}: option ${option} must be ${expected}, got ${describe(actual)}. Fix the option value.`);
  }

  static restoreOtherEntity(expected: string, actual: string): AuditTrailError {
    return new AuditTrailError(
      `restore() was asked to restore ${expected}, but the version is a row of ${actual}'s history. ` +
        `Pass a version read from auditOf(${expected}), or restore it as ${actual}.`,
    );
  }

  static differentEntities(older: string, newer: string): AuditTrailError {
    return new AuditTrailError(
      `diffVersions() compares versions of one entity, but got a ${older} row and a ${newer} row. Pass two rows of the same audit entity.`,
    );
  }

  static notAudited(entity: string): AuditTrailError {
    return new AuditTrailError(
      `${entity} has no audit trail in this EntityManager's ORM: mark it with @AuditTrail() and wrap the config in withAuditTrail().`,
    );
  }

  static invalidDate(entity: string, call: string, value: unknown): AuditTrailError {
    const shown = value instanceof Date ? 'an invalid Date' : typeof value === 'string' ? `the string '${value}'` : typeof value;
    return new AuditTrailError(
      `${call} for ${entity} needs a valid Date, got ${shown}. Pass a Date, e.g. new Date('2026-03-01T00:00:00Z').`,
    );
  }

  static changeTypeNeeded(entity: string, call: string): AuditTrailError {
    return new AuditTrailError(
      `${call} for ${entity} needs _audit_change_type to tell deletions apart, but ${entity} has saveChangeType: false. ` +
        `Turn saveChangeType on for ${entity}.`,
    );
  }

  static failedFlushInTransaction(): AuditTrailError {
    return new AuditTrailError(
      `A flush failed inside this transaction after part of its statements ran, so those changes have no audit ` +
        `rows. The transaction was not committed: roll it back (or let em.transactional() do it) and retry.`,
    );
  }

  static missingPrimaryKey(entity: string): AuditTrailError {
    return new AuditTrailError(`Cannot audit ${entity}: the entity has no primary key value after the flush.`);
  }
}

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (typeof value === 'string') {
    return `the string '${value}'`;
  }
  return typeof value === 'object' || typeof value === 'function' ? `a value of type ${typeof value}` : `${typeof value} ${String(value as number)}`;
}
