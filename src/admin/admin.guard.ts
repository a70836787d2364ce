import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { bearerToken, SecretSet } from '../common/bearer-token';
import { AppError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config';

type HttpRequest = { method: string; url: string; headers: Record<string, string | string[] | undefined> };
type HttpResponse = { setHeader(name: string, value: string): void };

/**
 * `Authorization: Bearer <ADMIN_TOKEN>` on every admin route. Without a configured token the admin API
 * is off and answers 404 as if it did not exist; it is never open. The token is compared in constant time (SecretSet).
 * It is never logged: the request logger redacts the Authorization header (common/logger.options.ts).
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly expected?: SecretSet;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = config.adminToken ? new SecretSet([config.adminToken]) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    if (!this.expected) throw new AppError('not_found', `Cannot ${request.method} ${request.url.split('?')[0]}`);
    if (!this.expected.has(bearerToken(request.headers.authorization))) {
      http.getResponse<HttpResponse>().setHeader('WWW-Authenticate', 'Bearer realm="admin"');
      throw new AppError('unauthorized', 'missing or wrong admin token (send Authorization: Bearer <ADMIN_TOKEN>)');
    }
    return true;
  }
}
