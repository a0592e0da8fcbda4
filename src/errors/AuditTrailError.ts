import { AuditTrailErrorBase } from './AuditTrailErrorBase.js';
import { describeValue } from './describeValue.js';

/** Raised at run time when something would break the audit trail's guarantees. */
export class AuditTrailError extends AuditTrailErrorBase {
  override readonly name = 'AuditTrailError';

  static readOnly(auditEntity: string, operation: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_READ_ONLY',
      `${auditEntity} rows are a security record written only by mikro-orm-audit-trail: they cannot be ${operation} ` +
        `through the EntityManager. Read them with em.find(); change the source entity instead.`,
      { entity: auditEntity },
    );
  }

  static writtenWithSql(auditEntity: string, table: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_WRITTEN_WITH_SQL',
      `${auditEntity} rows (table ${table}) are a security record appended only by mikro-orm-audit-trail: ` +
        `this statement would change them. Change the source entity instead; for deliberate maintenance ` +
        `(test cleanup, pruning) wrap the call in allowAuditTableWrites(() => ...).`,
      { entity: auditEntity },
    );
  }

  static droppedWithSql(auditEntity: string, table: string, variable: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_DROPPED_WITH_SQL',
      `${auditEntity} rows (table ${table}) are a security record kept by mikro-orm-audit-trail: this statement would ` +
        `drop or rename the table or drop its columns. To do that on purpose, wrap the call in allowAuditTableWrites(() => ...), ` +
        `e.g. allowAuditTableWrites(() => orm.schema.refreshDatabase()) in tests, or set ${variable}=1 for a command line run ` +
        `(npx mikro-orm schema:fresh, migration:down); to let migrations drop removed columns, list them in dropRemovedColumns.`,
      { entity: auditEntity },
    );
  }

  static unauditedWrite(entity: string, call: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_UNAUDITED_WRITE',
      `${call} on the audited entity ${entity} cannot be audited: the fields it matches existing rows on cannot be ` +
        `told (rows with different fields, or a path into an embeddable or JSON), so inserts and updates cannot be told ` +
        `apart. Give onConflictFields with plain property names, or use em.insert()/em.nativeUpdate() or entities and em.flush().`,
      { entity },
    );
  }

  static keyChangeCascades(entity: string, property: string, dependent: string, relation: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_KEY_CHANGE_CASCADES',
      `Changing the primary key ${entity}.${property} makes the database update ${dependent}.${relation} through its ` +
        `foreign key's ON UPDATE CASCADE (MikroORM gives it to relations with Cascade.PERSIST, the default), and those ` +
        `audited ${dependent} rows would change without history. Keep primary keys stable (create a new ${entity} and ` +
        `move the ${dependent} rows to it), or give ${dependent}.${relation} updateRule: 'no action' and migrate the ` +
        `foreign key.`,
      { entity },
    );
  }

  static unauditedStatement(entity: string, table: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_UNAUDITED_STATEMENT',
      `This statement writes to ${table}, the table of the audited entity ${entity}, outside em.flush() and the ` +
        `audited native writes, so it would leave no history (a query builder's insert/update/delete, or ` +
        `em.execute()). Use entities and em.flush(), or em.nativeUpdate()/nativeDelete()/insert()/insertMany(); for ` +
        `deliberate unaudited maintenance wrap the call in allowUnauditedWrites(() => …), or set strict: false.`,
      { entity },
    );
  }

  static queryBuilderUpsert(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_QUERY_BUILDER_UPSERT',
      `A query builder's insert() with onConflict() on the audited entity ${entity} may update existing rows and ` +
        `cannot say which, so it cannot be audited. Use em.upsert()/em.upsertMany(), which are.`,
      { entity },
    );
  }

  static queryBuilderInsertFrom(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_QUERY_BUILDER_INSERT_FROM',
      `A query builder inserts into the audited entity ${entity} other than with insert(rows) (e.g. insertFrom()), so ` +
        `the rows it inserts cannot be told and recorded. Insert with em.insertMany() or insert(rows), or wrap the call ` +
        `in allowUnauditedWrites(() => …) if it must run without history.`,
      { entity },
    );
  }

  static unrecordedRows(entity: string, affected: number, audited: number): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_UNRECORDED_ROWS',
      `A write to the audited entity ${entity} changed ${affected} rows, but ${audited} were read and locked before it ` +
        `ran, so history would not match the change (another transaction changed the matching rows in between). ` +
        `The write was rolled back; retry it.`,
      { entity },
    );
  }

  static queryBuilderOutsideTransaction(entity: string, call: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_QUERY_BUILDER_OUTSIDE_TRANSACTION',
      `A query builder's ${call} on the audited entity ${entity} runs outside the transaction it was created in (that ` +
        `transaction ended, or another one is active), so its audit rows could not be written with it. Create the query ` +
        `builder where it runs: from the EntityManager that em.transactional() passes, or outside any transaction (it then opens its own).`,
      { entity },
    );
  }

  static foreignTransactionContext(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_FOREIGN_TRANSACTION_CONTEXT',
      `A native write on the audited entity ${entity} was given a transaction (options.ctx) other than the ` +
        `EntityManager's own, so its audit rows could not be written in it. Call it on the EntityManager of that ` +
        `transaction (the one em.transactional() passes) instead.`,
      { entity },
    );
  }

  static outsideTransaction(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_OUTSIDE_TRANSACTION',
      `Audit rows for ${entity} would be written outside the change's transaction. ` +
        `Flush inside em.transactional() or keep MikroORM's implicit transactions on.`,
      { entity },
    );
  }

  static snapshotMissing(entity: string, expected: number, written: number): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_SNAPSHOT_MISSING',
      `Only ${written} of ${expected} ${entity} rows could be found to copy into the audit table, although the write ` +
        `inserted or locked them in its transaction. The write fails so that the change is not committed without its ` +
        `history. This is a bug of mikro-orm-audit-trail: please report it with the type of ${entity}'s primary key.`,
      { entity },
    );
  }

  static notAnEntity(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_NOT_AN_ENTITY',
      `${entity} is not an entity of this EntityManager's ORM: list it in the config's \`entities\`.`,
      { entity },
    );
  }

  static notAnAuditRow(call: string, argument: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_NOT_AN_AUDIT_ROW',
      `${call}: the ${argument} argument is not an audit row. Pass rows read from an audit entity, e.g. ` +
        `em.find(auditOf(Person), …) or auditHistory(em, Person, id).`,
    );
  }

  static pruneCriteriaMissing(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_PRUNE_CRITERIA_MISSING',
      `pruneAudit() for ${entity} needs olderThan, keepLast or both, to say which versions go: e.g. { keepLast: 10 }.`,
      { entity },
    );
  }

  static invalidPruneOption(entity: string, option: string, expected: string, actual: unknown): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_INVALID_PRUNE_OPTION',
      `pruneAudit() for ${entity}: option ${option} must be ${expected}, got ${describeValue(actual)}. Fix the option value.`,
      { entity },
    );
  }

  static restoreOtherEntity(expected: string, actual: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_RESTORE_OTHER_ENTITY',
      `restore() was asked to restore ${expected}, but the version is a row of ${actual}'s history. ` +
        `Pass a version read from auditOf(${expected}), or restore it as ${actual}.`,
      { entity: expected },
    );
  }

  static differentEntities(older: string, newer: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_DIFFERENT_ENTITIES',
      `diffVersions() compares versions of one entity, but got a ${older} row and a ${newer} row. Pass two rows of the same audit entity.`,
    );
  }

  static notAudited(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_NOT_AUDITED',
      `${entity} has no audit trail in this EntityManager's ORM: mark it with @AuditTrail() and wrap the config in withAuditTrail().`,
      { entity },
    );
  }

  static invalidDate(entity: string, call: string, value: unknown): AuditTrailError {
    const shown = value instanceof Date ? 'an invalid Date' : typeof value === 'string' ? `the string '${value}'` : typeof value;
    return new AuditTrailError(
      'AUDIT_INVALID_DATE',
      `${call} for ${entity} needs a valid Date, got ${shown}. Pass a Date, e.g. new Date('2026-03-01T00:00:00Z').`,
      { entity },
    );
  }

  static changeTypeNeeded(entity: string, call: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_CHANGE_TYPE_NEEDED',
      `${call} for ${entity} needs _audit_change_type to tell deletions apart, but ${entity} has saveChangeType: false. ` +
        `Turn saveChangeType on for ${entity}.`,
      { entity },
    );
  }

  static failedFlushInTransaction(): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_FAILED_FLUSH_IN_TRANSACTION',
      `A flush failed inside this transaction after part of its statements ran, so those changes have no audit ` +
        `rows. The transaction was not committed: roll it back (or let em.transactional() do it) and retry.`,
    );
  }

  static missingPrimaryKey(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_MISSING_PRIMARY_KEY',
      `Cannot audit ${entity}: the entity has no primary key value after the flush.`,
      { entity },
    );
  }

  static invalidTimezone(zone: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_INVALID_TIMEZONE',
      `MikroORM's timezone option is '${zone}', which the MySQL/MariaDB driver does not read as a time zone: audit ` +
        `timestamps could not be stored as MikroORM stores dates. Set it to 'local', 'Z' or an offset such as '+02:00'.`,
    );
  }

  static pivotWritesUnseen(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_PIVOT_WRITES_UNSEEN',
      `A flush changed collections audited in ${entity}, but MikroORM wrote their pivot rows without calling its ` +
        `driver's syncCollections(), where the audit trail reads them first. The flush fails rather than record them wrong: this MikroORM version is not supported yet.`,
      { entity },
    );
  }
}
