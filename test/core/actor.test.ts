import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { beforeEach, expect, it } from 'vitest';
import { RequestContext } from '@mikro-orm/core';
import { AuditTrail, auditContext, auditMiddleware, auditOf } from '../../src/index.js';
import { Entity, PrimaryKey, Property, refreshSchema } from '../support/mikro.js';
import { describeOnEachDatabase } from '../support/suite.js';

@Entity()
@AuditTrail()
class Ticket {
  @PrimaryKey({ type: 'number' }) id!: number;
  @Property({ type: 'string' }) owner!: string;
  @Property({ type: 'number' }) step!: number;
}

const TicketAudit = auditOf<typeof Ticket, { actor: string | null; channel: string | null }>(Ticket);

const moduleOptions = {
  globalTrackFields: [
    { name: 'actor', type: 'string', value: () => auditContext.current()?.user ?? null },
    { name: 'channel', type: 'string', value: ({ context }: { context?: { channel?: string } }) => context?.channel ?? null },
  ],
};

declare module '../../src/context/AuditContext.js' {
  interface AuditContextData {
    channel?: string;
  }
}

describeOnEachDatabase('the actor', { file: import.meta.url, config: { entities: [Ticket] }, moduleOptions }, ctx => {
  beforeEach(() => refreshSchema(ctx.t.orm));

  it('records the user and any other context given to auditContext.run()', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(Ticket, { owner: 'x', step: 0 });
    await auditContext.run({ user: 'alice', channel: 'import' }, () => em.flush());
    const [row] = await ctx.t.orm.em.fork().find(TicketAudit, {});
    expect(row).toMatchObject({ actor: 'alice', channel: 'import' });
  });

  it('records no actor outside of a context', async () => {
    const em = ctx.t.orm.em.fork();
    em.create(Ticket, { owner: 'x', step: 0 });
    await em.flush();
    const [row] = await ctx.t.orm.em.fork().find(TicketAudit, {});
    expect(row).toMatchObject({ actor: null, channel: null });
  });

  it('keeps 20 interleaved HTTP requests apart through auditMiddleware', async () => {
    const app = express();
    app.use((req, _res, next) => RequestContext.create(ctx.t.orm.em, next));
    app.use(auditMiddleware((req: express.Request) => req.header('x-user') ?? null));
    const createTicket = async (req: express.Request, res: express.Response) => {
      const owner = req.header('x-user')!;
      const em = RequestContext.getEntityManager()!;
      const ticket = em.create(Ticket, { owner, step: 0 });
      for (let step = 0; step < 3; step++) {
        await sleep(Math.floor(Math.random() * 15));
        ticket.step = step;
        await em.flush();
      }
      await em.transactional(async tx => {
        await sleep(Math.floor(Math.random() * 15));
        const inTx = await tx.findOneOrFail(Ticket, ticket.id);
        inTx.step = 99;
      });
      res.json({ id: ticket.id });
    };
    app.post('/tickets', (req, res, next) => {
      createTicket(req, res).catch(next);
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const users = Array.from({ length: 20 }, (_, i) => `user${i}`);
      const responses = await Promise.all(
        users.map(user => fetch(`http://127.0.0.1:${port}/tickets`, { method: 'POST', headers: { 'x-user': user } })),
      );
      expect(responses.map(r => r.status)).toEqual(users.map(() => 200));
    } finally {
      server.close();
    }
    const rows = await ctx.t.orm.em.fork().find(TicketAudit, {});
    expect(rows).toHaveLength(20 * 4); // I, U, U, U(99): the first flush inserts with step 0
    for (const row of rows) {
      expect(row.actor).toBe(row.owner);
    }
  });
});
