import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { isOpenAiApiPath, OpenAiErrorFilter } from '../openai-api/openai-errors';
import { sendError } from './app-error.filter';
import { toHttpError } from './error-responses';

/**
 * HTTP only: errors Nest raises itself (invalid JSON, a body over the limit, an unknown route, a bad path escape)
 * in the same shape as AppErrorFilter's, `{ error: { code, message } }`, so a client parses one error format.
 * The code is the status name in snake case: bad_request, payload_too_large, not_found, …
 */
@Catch(HttpException)
export class HttpExceptionFilter implements ExceptionFilter {
  catch(error: HttpException, host: ArgumentsHost) {
    if (host.getType() !== 'http') throw error;
    // Under /v1 the OpenAI clients parse OpenAI's error shape only (a bad JSON body, an unknown /v1 route).
    if (isOpenAiApiPath(host.switchToHttp().getRequest<{ url: string }>().url)) return new OpenAiErrorFilter().catch(error, host);
    sendError(host, toHttpError(error));
  }
}
