// Counts what reaches the database client libraries themselves (pg, mysql2, sqlite3 on MikroORM 6, better-sqlite3
// on MikroORM 7), below MikroORM, its logger and the library: every statement sent, and every client (pooled
// connection, SQLite database handle) that sent one. A second connection opened by anyone shows up here.
import { vi, type MockInstance } from 'vitest';
import type { DriverName } from './databases.js';
import { ormMajor } from './mikro.js';

export interface ClientTraffic {
  /** The statements sent, in order. */
  readonly statements: string[];
  /** How many distinct clients sent them. */
  readonly clients: number;
}

type Prototype = Record<string, (...args: unknown[]) => unknown>;

async function load(name: string): Promise<Record<string, unknown>> {
  const module = (await import(/* @vite-ignore */ name)) as { default?: Record<string, unknown> };
  return module.default ?? (module as Record<string, unknown>);
}

async function targets(db: DriverName): Promise<[Prototype, string[]][]> {
  if (db === 'postgresql') {
    const pg = await load('pg');
    return [[(pg.Client as { prototype: Prototype }).prototype, ['query']]];
  }
  if (db === 'mariadb') {
    const mysql = await load('mysql2');
    return [[(mysql.Connection as { prototype: Prototype }).prototype, ['query', 'execute']]];
  }
  if (ormMajor >= 7) {
    const Database = (await load('better-sqlite3')) as unknown as { prototype: Prototype };
    return [[Database.prototype, ['prepare', 'exec']]];
  }
  const sqlite3 = await load('sqlite3');
  return [[(sqlite3.Database as { prototype: Prototype }).prototype, ['all', 'run', 'get', 'exec', 'each']]];
}

function sqlOf(arg: unknown): string {
  return typeof arg === 'string' ? arg : String((arg as { text?: string; sql?: string } | undefined)?.text ?? (arg as { sql?: string } | undefined)?.sql);
}

/** Runs `work` and returns what the database client library of `db` was asked to send meanwhile. */
export async function countClientTraffic(db: DriverName, work: () => Promise<void>): Promise<ClientTraffic> {
  const spies: MockInstance[] = [];
  for (const [prototype, methods] of await targets(db)) {
    for (const method of methods) {
      spies.push(vi.spyOn(prototype, method));
    }
  }
  let calls: { sql: string; client: unknown; order: number }[];
  try {
    await work();
  } finally {
    // Read before restoring: restoring clears what a spy recorded.
    calls = spies.flatMap(spy => spy.mock.calls.map((args, i) => ({ sql: sqlOf(args[0]), client: spy.mock.contexts[i], order: spy.mock.invocationCallOrder[i]! })));
    spies.forEach(spy => spy.mockRestore());
  }
  calls.sort((a, b) => a.order - b.order);
  return { statements: calls.map(call => call.sql), clients: new Set(calls.map(call => call.client)).size };
}
