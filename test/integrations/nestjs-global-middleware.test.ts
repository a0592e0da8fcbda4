import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditMiddleware } from '../../src/index.js';
import { AuditTrailModule } from '../../src/integrations/nestjs/index.js';
import { DATABASES, dbNameFor } from '../support/databases.js';
import { bearer } from './support/bearer.js';
import { distinctUsers } from './support/load.js';
import { MemoAudit, recordedActor } from './support/memo.js';
import { startNestApp, type NestTestApp } from './support/nestApp.js';

// Why AuditTrailModule exists: the README used to say `app.use(auditMiddleware(req => req.user…))`. In NestJS that is
// global middleware, which runs before any guard has set request.user, so every audit row lost its actor.
for (const db of DATABASES) {
  describe.skipIf(!db.available)(`NestJS with a global auditMiddleware on ${db.name}`, () => {
    const apps: NestTestApp[] = [];
    const start = async (withModule: boolean, suffix: string) => {
      const nest = await startNestApp(db, `${dbNameFor(import.meta.url)}_${suffix}`.slice(0, 60), {
        imports: withModule ? [AuditTrailModule.forRoot()] : [],
        // Typed by AuditRequest: NestJS's app.use gives the resolver's parameter no type of its own.
        beforeListen: app => app.use(auditMiddleware(req => (req.user as { id?: string } | undefined)?.id ?? null)),
      });
      apps.push(nest);
      return nest;
    };
    let withoutModule: NestTestApp;
    let withModule: NestTestApp;
    beforeAll(async () => {
      withoutModule = await start(false, 'plain');
      withModule = await start(true, 'module');
    });
    afterAll(async () => {
      await Promise.all(apps.map(nest => nest.app.close()));
    });

    const lifecycles = (nest: NestTestApp) =>
      Promise.all(
        distinctUsers(20).map(user =>
          fetch(`${nest.url}/memos/lifecycle`, {
            method: 'POST',
            headers: { authorization: bearer(user), 'content-type': 'application/json' },
            body: JSON.stringify({ owner: user.id }),
          }),
        ),
      );

    it('loses the actor of every row: the middleware runs before the guard sets request.user', async () => {
      expect((await lifecycles(withoutModule)).map(response => response.status)).toEqual(distinctUsers(20).map(() => 201));
      const rows = await withoutModule.orm.em.fork().find(MemoAudit, {});
      console.log(`nestjs global auditMiddleware on ${db.name}: ${rows.length} audit rows, ${rows.filter(row => recordedActor(row) === null).length} without actor`);
      expect(rows).toHaveLength(60);
      expect(rows.map(recordedActor)).toEqual(rows.map(() => null));
    });

    it('records it once AuditTrailModule is imported: its interceptor runs after the guard, inside the middleware', async () => {
      await lifecycles(withModule);
      const rows = await withModule.orm.em.fork().find(MemoAudit, {});
      expect(rows).toHaveLength(60);
      expect(rows.map(recordedActor)).toEqual(rows.map(row => row.owner));
    });
  });
}
