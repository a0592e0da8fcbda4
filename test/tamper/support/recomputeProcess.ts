// Run as its own process (node --import tsx …): recomputes the chains of audit tables as `verify` would from
// another process, with its own TZ, session settings and MikroORM `timezone`, and prints one JSON report per
// table. Arguments: a JSON object { driver, options, settings, tables }.
import { MikroORM, type Options } from '@mikro-orm/core';
import { MySqlDriver } from '@mikro-orm/mysql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { SqliteDriver } from '@mikro-orm/sqlite';
import { sessionSettings } from '../../support/sessionSettings.js';
import { recomputeTableChains } from '../../support/chains.js';

const { driver, options, settings, tables } = JSON.parse(process.argv[2]!) as { driver: string; options: Options; settings: string[]; tables: string[] };
const drivers = { sqlite: SqliteDriver, postgresql: PostgreSqlDriver, mariadb: MySqlDriver } as Record<string, Options['driver']>;
const orm = await MikroORM.init({ ...options, ...sessionSettings(settings), driver: drivers[driver], entities: [], discovery: { warnWhenNoEntities: false } } as Options);
try {
  const reports = [];
  for (const table of tables) {
    reports.push(await recomputeTableChains(orm.em.fork(), table));
  }
  process.stdout.write(JSON.stringify({ tz: Intl.DateTimeFormat().resolvedOptions().timeZone, offset: new Date(0).getTimezoneOffset(), reports }));
} finally {
  await orm.close(true);
}
