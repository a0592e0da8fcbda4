import 'reflect-metadata';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, expect, it } from 'vitest';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { auditBrowser } from '../../src/index.js';
import { describeOnEachDatabase } from '../support/suite.js';
import { ENTITIES, seedHistory } from './support/entities.js';
import { hrefOf, idsOf } from './support/server.js';

type Handler = ReturnType<typeof auditBrowser>;

async function urlOf(server: Server): Promise<string> {
  if (!server.listening) {
    await once(server, 'listening');
  }
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// Each framework with the one adapter line the README shows (History browser); each returns its base URL and a way to stop.
const FRAMEWORKS: Record<string, (browser: Handler) => Promise<{ url: string; stop: () => Promise<unknown> }>> = {
  async express(browser) {
    const app = express();
    app.use('/admin/history', browser);
    const server = app.listen(0, '127.0.0.1');
    return { url: await urlOf(server), stop: () => new Promise(resolve => server.close(resolve)) };
  },
  async fastify(browser) {
    const app = Fastify();
    app.all('/admin/history', (request, reply) => { reply.hijack(); browser(request.raw, reply.raw); });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, stop: () => app.close() };
  },
  async koa(browser) {
    const app = new Koa();
    app.use((ctx, next) => (ctx.path === '/admin/history' ? ((ctx.respond = false), browser(ctx.req, ctx.res)) : next()));
    const server = app.listen(0, '127.0.0.1');
    return { url: await urlOf(server), stop: () => new Promise(resolve => server.close(resolve)) };
  },
  async nestjs(browser) {
    class AppModule {}
    Module({})(AppModule);
    const app = await NestFactory.create(AppModule, { logger: false });
    app.use('/admin/history', browser);
    await app.listen(0, '127.0.0.1');
    return { url: await urlOf(app.getHttpServer() as Server), stop: () => app.close() };
  },
};

describeOnEachDatabase('history browser mounted in a framework', { file: import.meta.url, config: { entities: ENTITIES } }, ctx => {
  beforeAll(() => seedHistory(ctx.t.orm, 2));

  for (const [name, start] of Object.entries(FRAMEWORKS)) {
    it(`works under /admin/history in ${name}, links included`, async () => {
      const { url, stop } = await start(auditBrowser(ctx.t.orm, { authorize: req => req.headers['x-admin'] === 'yes', pageSize: 3 }));
      try {
        const headers = { 'x-admin': 'yes' };
        const home = await fetch(`${url}/admin/history`, { headers });
        expect(home.status).toBe(200);
        const text = await home.text();
        const history = new URL(hrefOf(text, /<a href="([^"]*)">Person<\/a>/)!, home.url);
        expect(history.pathname).toBe('/admin/history');
        const page = await fetch(history, { headers });
        const first = await page.text();
        expect(page.status).toBe(200);
        expect(first).toContain('<h1>History of Person</h1>');
        expect(idsOf(first)).toHaveLength(3);
        const older = await fetch(new URL(hrefOf(first, /<a href="([^"]*)" rel="next">Older<\/a>/)!, history), { headers });
        expect(older.status).toBe(200);
        expect(idsOf(await older.text())[0]).toBeLessThan(idsOf(first).at(-1)!);
        expect((await fetch(`${url}/admin/history`)).status).toBe(403);
      } finally {
        await stop();
      }
    });
  }
});
