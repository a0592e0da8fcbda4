import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { EntityManager, MikroORM, type Options } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import {
  Body,
  Controller,
  Delete,
  HttpCode,
  Inject,
  Injectable,
  Module,
  Param,
  Patch,
  Post,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { withAuditTrail } from '../../../src/index.js';
import type { TestDatabase } from '../../support/databases.js';
import { refreshSchema } from '../../support/mikro.js';
import { verifyBearer, type TokenUser } from './bearer.js';
import { Memo, actorModuleOptions, memoLifecycle } from './memo.js';

// A NestJS application as `nest new` and the MikroORM docs set it up: MikroOrmModule.forRoot (its request context
// middleware), an auth guard that verifies a bearer token and sets request.user, a controller using the injected
// EntityManager. esbuild (vitest) emits no decorator metadata, so every constructor parameter names its token.

/** Verifies `Authorization: Bearer <token>` and sets `request.user`, as Passport's JWT guard does. */
@Injectable()
export class BearerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: TokenUser }>();
    const user = verifyBearer(request.headers.authorization);
    if (!user) {
      throw new UnauthorizedException();
    }
    request.user = user;
    return true;
  }
}

@Controller('memos')
@UseGuards(BearerGuard)
export class MemoController {
  constructor(@Inject(EntityManager) private readonly em: EntityManager) {}

  @Post()
  async create(@Body() body: { owner: string; text: string }): Promise<{ id: number }> {
    const memo = this.em.create(Memo, { owner: body.owner, text: body.text });
    await this.em.flush();
    return { id: memo.id };
  }

  @Patch(':id')
  async update(@Param('id') id: string, @Body() body: { text: string }): Promise<void> {
    const memo = await this.em.findOneOrFail(Memo, Number(id));
    memo.text = body.text;
    await this.em.flush();
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id') id: string): Promise<void> {
    this.em.remove(await this.em.findOneOrFail(Memo, Number(id)));
    await this.em.flush();
  }

  @Post('lifecycle')
  lifecycle(@Body() body: { owner: string }): Promise<void> {
    return memoLifecycle(this.em, body.owner);
  }
}

export interface NestTestApp {
  readonly app: INestApplication;
  readonly orm: MikroORM;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
}

/** Starts an application on `db` with the memo controller, `imports` next to MikroOrmModule, listening on a free port. */
export async function startNestApp(
  db: TestDatabase,
  dbName: string,
  options: { imports?: (DynamicModule | Promise<DynamicModule>)[]; providers?: object[]; beforeListen?: (app: INestApplication) => void } = {},
): Promise<NestTestApp> {
  const config = withAuditTrail({ ...db.config(dbName), entities: [Memo] } as Options, actorModuleOptions);
  class AppModule {}
  Module({
    imports: [MikroOrmModule.forRoot(config), ...(options.imports ?? [])],
    controllers: [MemoController],
    providers: (options.providers ?? []) as never[],
  })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: false });
  options.beforeListen?.(app);
  const orm = app.get(MikroORM);
  await refreshSchema(orm);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, orm, url: `http://127.0.0.1:${port}` };
}
