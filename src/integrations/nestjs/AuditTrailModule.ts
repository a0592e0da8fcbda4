import type { DynamicModule, FactoryProvider, ModuleMetadata } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { checkContextOption } from '../contextOption.js';
import { AuditContextInterceptor, type NestAuditContextFunction } from './AuditContextInterceptor.js';

/** Options of `AuditTrailModule.forRoot()`. */
export interface AuditTrailNestOptions {
  /**
   * The audit context (`{ user, reason }`) of a handler call, from its `ExecutionContext`; `undefined` enters none.
   * It runs after guards, so `request.user` is set. Defaults to `defaultNestAuditContext`: `request.user` for HTTP
   * and the GraphQL context's `req.user`, nothing for microservice and WebSocket handlers.
   */
  context?: NestAuditContextFunction;
}

/** Options of `AuditTrailModule.forRootAsync()`: a factory of the options, with Nest's `imports` and `inject`. */
export interface AuditTrailNestAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  useFactory: (...args: never[]) => AuditTrailNestOptions | Promise<AuditTrailNestOptions>;
  inject?: FactoryProvider['inject'];
}

/** The injection token of the resolved `AuditTrailNestOptions`. */
export const AUDIT_TRAIL_NEST_OPTIONS = Symbol.for('mikro-orm-audit-trail:nestjs-options');

/**
 * Records the user of each request, resolver call or message handled by a Nest application: registers
 * `AuditContextInterceptor` as a global interceptor (`APP_INTERCEPTOR`), so every handler runs inside
 * `auditContext.run()` with the context given by `options.context`, after guards have authenticated the request.
 * GraphQL resolvers and microservice handlers pass through global interceptors too: `context` receives their
 * `ExecutionContext` (`getType()` is `'graphql'` or `'rpc'`) and can read it with `GqlExecutionContext` or
 * `switchToRpc()`.
 *
 * @example
 * @Module({
 *   imports: [
 *     MikroOrmModule.forRoot(withAuditTrail({ entities: [Person], driver: PostgreSqlDriver, dbName: 'app' })),
 *     AuditTrailModule.forRoot({ context: ctx => ({ user: ctx.switchToHttp().getRequest<Request>().user?.email }) }),
 *   ],
 * })
 * export class AppModule {}
 */
export class AuditTrailModule {
  /** The module with the given options (or the default context: `request.user`). */
  static forRoot(options: AuditTrailNestOptions = {}): DynamicModule {
    checkContextOption('AuditTrailModule.forRoot()', options.context);
    return {
      module: AuditTrailModule,
      providers: [{ provide: APP_INTERCEPTOR, useValue: new AuditContextInterceptor(options.context) }],
    };
  }

  /** The module with options made by a factory that may inject providers (a `ConfigService`, ...). */
  static forRootAsync(options: AuditTrailNestAsyncOptions): DynamicModule {
    const interceptor = (resolved: AuditTrailNestOptions) => {
      checkContextOption('AuditTrailModule.forRootAsync()', resolved.context);
      return new AuditContextInterceptor(resolved.context);
    };
    return {
      module: AuditTrailModule,
      imports: options.imports ?? [],
      providers: [
        { provide: AUDIT_TRAIL_NEST_OPTIONS, useFactory: options.useFactory as FactoryProvider['useFactory'], inject: options.inject ?? [] },
        { provide: APP_INTERCEPTOR, useFactory: interceptor, inject: [AUDIT_TRAIL_NEST_OPTIONS] },
      ],
    };
  }
}
