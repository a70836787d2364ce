import { Body, Controller, Inject, Logger, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { clientAddress } from '../serving/client-address';
import { ApiKeyGuard } from './api-key.guard';
import { type ChatCompletionRequest, chatCompletionBodyDocument, chatCompletionSchema, parseChatCompletion } from './chat-completion.schema';
import { ChatCompletionsService, type PreparedCompletion } from './chat-completions.service';
import { chunks, completion } from './completion-format';
import { OPENAI_API_OPTIONS, type OpenAiApiOptions } from './openai-api.options';
import { toOpenAiError } from '../common/error-responses';
import { OpenAiErrorFilter } from './openai-errors';
import { SseResponse, type StreamingResponse } from './sse-response';

type HttpRequest = { headers: Record<string, string | string[] | undefined>; socket: { remoteAddress?: string } };
type HttpResponse = StreamingResponse & {
  readonly writableFinished: boolean;
  once(event: 'close', listener: () => void): void;
  status(code: number): { json(body: unknown): void };
};

/**
 * POST /v1/chat/completions, as the OpenAI clients call it (README, "OpenAI-compatible API"). Thin: validate →
 * ChatCompletionsService → a JSON body or server-sent events. A client that disconnects cancels its replies.
 */
@ApiTags('OpenAI-compatible chat')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@UseFilters(OpenAiErrorFilter)
@Controller('v1/chat/completions')
export class ChatCompletionsController {
  private readonly logger = new Logger(ChatCompletionsController.name);
  private readonly schema;

  constructor(
    private readonly completions: ChatCompletionsService,
    @Inject(OPENAI_API_OPTIONS) private readonly options: OpenAiApiOptions,
  ) {
    this.schema = chatCompletionSchema({ maxChars: options.maxMessageChars, maxTurns: options.maxConversationTurns });
  }

  @Post()
  @ApiOperation({ summary: 'A reply to the last message, as OpenAI\'s chat completions (docs/openai-api.md)' })
  @ApiBody({ schema: chatCompletionBodyDocument() })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ description: 'a chat.completion; with stream: true, server-sent chat.completion.chunk events ending with data: [DONE]' })
  @ApiResponse({ status: 400, description: "OpenAI's error shape naming the parameter at fault (over_limit: over a cap the socket chat shares, CHAT_MAX_*)" })
  @ApiResponse({ status: 401, description: 'CHAT_API_KEYS is set and the bearer key is missing or wrong' })
  @ApiResponse({ status: 404, description: 'no such model (a kind with an active version, or a version id)' })
  @ApiResponse({ status: 429, description: "the reply queue is full (server_busy) or this client address has too many replies in flight (too_many_replies): retry after the Retry-After header's seconds" })
  async create(@Body() body: unknown, @Req() http: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    const requestedAt = Date.now();
    const request = parseChatCompletion(this.schema, body);
    const clientGone = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) clientGone.abort('client disconnected');
    });
    const client = clientAddress(http.socket.remoteAddress, http.headers['x-forwarded-for'], this.options.trustedProxies);
    const prepared = await this.completions.prepare(request, requestedAt, client);
    if (request.stream) return this.stream(prepared, request, response, clientGone.signal);
    const result = await this.completions.run(prepared, {}, clientGone.signal);
    if (result) response.status(200).json(completion(prepared.header, result.choices, result.usage));
  }

  /** Role chunks first (one per choice), then content as it is decoded, a finish chunk per choice, usage, [DONE]. */
  private async stream(prepared: PreparedCompletion, request: ChatCompletionRequest, response: HttpResponse, signal: AbortSignal): Promise<void> {
    const events = new SseResponse(response);
    const chunk = chunks(prepared.header, request.stream_options?.include_usage === true);
    events.open();
    for (let index = 0; index < prepared.choices; index++) events.send(chunk.role(index));
    try {
      const result = await this.completions.run(
        prepared,
        { delta: (index, text) => events.send(chunk.content(index, text)), finish: (index, reason) => events.send(chunk.finish(index, reason)) },
        signal,
      );
      if (!result) return; // the client left
      if (request.stream_options?.include_usage) events.send(chunk.usage(result.usage));
      events.send('[DONE]');
    } catch (thrown) {
      // The status line is sent: the error goes in the stream, where the OpenAI clients raise it as an APIError.
      const error = toOpenAiError(thrown);
      if (error.status >= 500 && error.body.error.code === null) this.logger.error(thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown));
      events.send(error.body);
    } finally {
      events.end();
    }
  }
}
