/**
 * The errors the OpenAI-compatible API raises itself, and its filter. Every error reaches a /v1 client in OpenAI's
 * shape, `{ error: { message, type, param, code } }`, through common/error-responses.ts (toOpenAiError).
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { toOpenAiError } from '../common/error-responses';
import { AppError, InvalidInputError } from '../common/errors';
import { OverLimitError } from '../serving/serving-errors';

/** Requests under this path are the OpenAI-compatible API's, answered in its error shape even before routing. */
export function isOpenAiApiPath(url: string): boolean {
  return url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');
}

/** OpenAI's codes for a request it refuses (its clients show them; `param` names the field at fault). */
export type OpenAiRequestCode = 'invalid_value' | 'unknown_parameter' | 'empty_array';

export const openAiErrors = {
  invalid: (message: string, param: string | null, openAiCode: OpenAiRequestCode = 'invalid_value') =>
    new InvalidInputError(message, { param: param ?? undefined, openAiCode }),
  modelNotFound: (model: string) => new AppError('model_not_found', `model ${model} is not offered by this API`, { id: model }),
  unauthorized: (sent: boolean) => new AppError('invalid_api_key', sent ? 'Incorrect API key provided' : 'Missing API key: send Authorization: Bearer <key>'),
  /** A setting over the socket chat's caps (CHAT_MAX_*), named as the request wrote it. */
  overLimit: (param: string, max: number | false) => new OverLimitError(param, max),
  shuttingDown: () => new AppError('shutting_down', 'The server is shutting down: retry (on another instance)'),
};

type JsonResponse = { headersSent: boolean; setHeader(name: string, value: string): void; status(code: number): { json(body: unknown): void } };

/** The /v1 controllers' filter: every error in OpenAI's shape (the app's own filters use `{ error: { code, message } }`). */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('OpenAiApi');

  catch(thrown: unknown, host: ArgumentsHost): void {
    const error = toOpenAiError(thrown);
    if (error.status >= 500 && error.body.error.code === null) this.logger.error(thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown));
    const response = host.switchToHttp().getResponse<JsonResponse>();
    if (response.headersSent) return; // a stream already started reports its errors in the stream
    for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
    response.status(error.status).json(error.body);
  }
}
