import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { bearerToken, SecretSet } from '../common/bearer-token';
import { OPENAI_API_OPTIONS, type OpenAiApiOptions } from './openai-api.options';
import { openAiErrors } from './openai-errors';

type HttpRequest = { headers: Record<string, string | string[] | undefined> };

/**
 * `Authorization: Bearer <key>` with one of CHAT_API_KEYS, as the OpenAI clients send their `apiKey`; open when no
 * key is configured. Keys are compared in constant time (SecretSet) and never logged (the request logger redacts
 * the Authorization header, common/logger.options.ts).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: SecretSet;

  constructor(@Inject(OPENAI_API_OPTIONS) options: OpenAiApiOptions) {
    this.keys = new SecretSet(options.apiKeys);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.keys.size === 0) return true;
    const header = context.switchToHttp().getRequest<HttpRequest>().headers.authorization;
    if (!this.keys.has(bearerToken(header))) throw openAiErrors.unauthorized(header !== undefined);
    return true;
  }
}
