// What the soak run left behind, checked against what the requests did.
import type { EntityManager, EntitySchema } from '@mikro-orm/core';
import { auditOf } from '../../src/index.js';
import { SEEDED_ROWS, type SoakAccount, type SoakLog } from './requests.js';

export interface SoakFindings {
  readonly committed: { inserts: number; updates: number; deletes: number };
  readonly audit: { I: number; U: number; D: number };
  readonly misattributed: number;
  readonly misordered: number;
  readonly duplicateDeletes: number;
}

interface Version {
  id: number;
  balance: number | null;
  lastActor: string | null;
  actor: string | null;
  type: string;
  auditId: number;
  at: number;
}

export async function checkSoak(em: EntityManager, schema: EntitySchema<SoakAccount>, log: SoakLog): Promise<SoakFindings> {
  const live = new Map((await em.fork().find(schema, {})).map(row => [row.id, row]));
  const rows = (await em.fork().find(auditOf(schema) as EntitySchema<Record<string, unknown>>, {}, { orderBy: { _audit_id: 'asc' } as never })) as Record<string, unknown>[];
  const versions: Version[] = rows.map(row => ({
    id: Number(row.id),
    balance: row.balance as number | null,
    lastActor: row.lastActor as string | null,
    actor: row.actor as string | null,
    type: String(row._audit_change_type),
    auditId: Number(row._audit_id),
    at: (row._audit_timestamp as Date).getTime(),
  }));
  const byKey = new Map<number, Version[]>();
  for (const version of versions) {
    byKey.set(version.id, [...(byKey.get(version.id) ?? []), version]);
  }
  const audit = { I: 0, U: 0, D: 0 } as Record<string, number>;
  versions.forEach(version => (audit[version.type] = (audit[version.type] ?? 0) + 1));
  let deletes = 0;
  for (let id = 1; id <= SEEDED_ROWS; id++) {
    deletes += live.has(id) ? 0 : 1;
  }
  return {
    committed: { inserts: SEEDED_ROWS + log.succeeded.insert, updates: log.succeeded.update + log.nativeUpdated, deletes },
    audit: { I: audit.I ?? 0, U: audit.U ?? 0, D: audit.D ?? 0 },
    misattributed: versions.filter(version => !attributedRightly(version, log)).length,
    misordered: [...byKey].filter(([id, history]) => !ordered(history, live.get(id))).length,
    duplicateDeletes: [...byKey.values()].filter(history => history.filter(version => version.type === 'D').length > 1).length,
  };
}

// I and U rows carry the row their request wrote (with its actor in `lastActor`); a D row's actor must be one of
// the requests that deleted that key.
function attributedRightly(version: Version, log: SoakLog): boolean {
  if (version.type === 'D') {
    return log.deleteAttempts.get(version.id)?.has(version.actor ?? '') ?? false;
  }
  return version.actor === version.lastActor;
}

// The newest version is the live row (or a D row for a deleted one), and stamps never go back in time.
function ordered(history: readonly Version[], current: SoakAccount | undefined): boolean {
  const newest = history[history.length - 1]!;
  const stampsAscend = history.every((version, i) => i === 0 || version.at >= history[i - 1]!.at);
  const newestIsLive = current ? newest.type !== 'D' && newest.balance === current.balance && newest.lastActor === current.lastActor : newest.type === 'D';
  return stampsAscend && newestIsLive;
}
