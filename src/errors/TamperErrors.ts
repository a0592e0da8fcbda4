import { AuditTrailConfigError } from './AuditTrailConfigError.js';
import { AuditTrailError } from './AuditTrailError.js';

export const SEAL_KEY_VARIABLE = 'AUDIT_TRAIL_SEAL_KEY';
export const RETIRED_SEAL_KEYS_VARIABLE = 'AUDIT_TRAIL_RETIRED_SEAL_KEYS';

// How to make a key, in every message about one: operators meet these at the command line.
const MAKE_ONE =
  `Generate one with: node -e "console.log(require('node:crypto').randomBytes(32).toString('hex'))" and keep it ` +
  `outside the database (a secret store, a file readable only by the operator).`;
const FORMAT = `at least 32 bytes, written as hex digits (64 or more) or as base64 after the prefix 'base64:'`;

/**
 * The errors of tamper evidence: the seal key, seals and prune records. None of their messages contains a key:
 * they name where it came from and its length only.
 */
export const TamperErrors = Object.freeze({
  transactionLost(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_TRANSACTION_LOST',
      `${entity}'s audit rows were about to be written outside any transaction: MySQL/MariaDB ended the transaction ` +
        `the flush runs in (a deadlock or a lock wait timeout rolls back the whole transaction, savepoints too), and ` +
        `the application went on in it. Tamper-evident history is written only inside the change's transaction. ` +
        `Retry the whole transaction when a deadlock is reported instead of continuing after it.`,
      { entity },
    );
  },

  keyMissing(purpose: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_SEAL_KEY_MISSING',
      `${purpose} needs the seal key, and none was given: set the environment variable ${SEAL_KEY_VARIABLE} or pass ` +
        `a key file (--key-file <path>, or { keyFile } in code); the key is ${FORMAT}. ${MAKE_ONE}`,
    );
  },

  keyInvalid(source: string, problem: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_SEAL_KEY_INVALID',
      `The seal key from ${source} is not usable: ${problem}. A seal key is ${FORMAT}, nothing else (surrounding ` +
        `whitespace is ignored). ${MAKE_ONE}`,
    );
  },

  keyGivenTwice(keyId: string): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_SEAL_KEY_INVALID',
      `The seal key with id ${keyId} is given twice (as the current key and as a retired key, or twice as retired). ` +
        `Give each key once: the current key (${SEAL_KEY_VARIABLE} or --key-file), and only the keys it replaced as ` +
        `retired keys (${RETIRED_SEAL_KEYS_VARIABLE} or --retired-key-file), newest first.`,
    );
  },

  pruneWithRetiredKey(entity: string, table: string, keyId: string, newerKeyId: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_SEAL_KEY_INVALID',
      `Pruning ${entity}'s history with key id ${keyId} was refused: ${table} was sealed with key id ${newerKeyId} ` +
        `after this key's seals, so a key rotation retired it, and verify would report its prune records for history ` +
        `written since, for good. Prune with the current key (${SEAL_KEY_VARIABLE} or --key-file, { sealKey } in code).`,
      { entity },
    );
  },

  retiredKeysWithoutKey(): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_SEAL_KEY_MISSING',
      `Retired seal keys were given without the current one: give the current key too (${SEAL_KEY_VARIABLE} or ` +
        `--key-file, { key } in code); retired keys only check the seals made before it.`,
    );
  },

  keyFileUnreadable(path: string, cause: unknown, retired = false): AuditTrailConfigError {
    const code = (cause as { code?: unknown } | undefined)?.code;
    return new AuditTrailConfigError(
      'AUDIT_SEAL_KEY_INVALID',
      `The ${retired ? 'retired ' : ''}seal key file ${path} cannot be read (${typeof code === 'string' ? code : 'error'}). Check the path and that ` +
        `this user may read it, or set ${retired ? RETIRED_SEAL_KEYS_VARIABLE : SEAL_KEY_VARIABLE} instead.`,
      { cause },
    );
  },

  pruneNeedsKey(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_SEAL_KEY_MISSING',
      `${entity} has tamper evidence on, so pruning its history must record what it removes, authenticated with the ` +
        `seal key (otherwise verify reports every pruned row as removed). Set ${SEAL_KEY_VARIABLE} or pass --key-file ` +
        `(pruneAudit(em, ${entity}, { ..., sealKey }) in code).`,
      { entity },
    );
  },

  pruneOutsideTransaction(entity: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_OUTSIDE_TRANSACTION',
      `Prune records of ${entity} must be written in the transaction of the DELETE they describe, and none is open. ` +
        `Run the prune batch inside em.transactional().`,
      { entity },
    );
  },

  sealRace(table: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_SEAL_CONFLICT',
      `Another seal of ${table} was written while this one was computed (two sealing runs at once). Nothing was ` +
        `written for ${table}; run the seal again.`,
    );
  },

  sealLockTimeout(table: string, seconds: number, cause: unknown): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_SEAL_CONFLICT',
      `Sealing ${table} waited ${seconds} s for the transactions writing to it to finish, and one did not (a long or ` +
        `forgotten open transaction). Nothing was sealed for ${table}. Find and end that transaction, or give a longer ` +
        `lockTimeout, and seal again.`,
      { cause },
    );
  },

  sealsUnverified(table: string, problem: string, keys: string): AuditTrailError {
    return new AuditTrailError(
      'AUDIT_SEAL_CONFLICT',
      `The seals of ${table} do not all verify with the keys given (${keys}), so a new seal on top of them would ` +
        `vouch for history it cannot check. ${problem} Run verify to see every finding before sealing.`,
    );
  },

  nothingToVerify(): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_SEAL_TABLES_MISSING',
      `No audited entity has tamper evidence on, so there is nothing to verify. Give withAuditTrail() the module option ` +
        `tamperEvidence: true (or @AuditTrail({ tamperEvidence: true }) on an entity), migrate, and seal.`,
    );
  },

  sealTablesMissing(): AuditTrailConfigError {
    return new AuditTrailConfigError(
      'AUDIT_SEAL_TABLES_MISSING',
      `Tamper evidence is on, but the ORM has no AuditTrailSeal entity: list the audited entities in the config's ` +
        `entities (withAuditTrail() adds the seal and prune record tables next to them), or give withAuditTrail() the ` +
        `module option tamperEvidence: true when entities are discovered from folders.`,
    );
  },
});
