import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { ConversationsModule } from '../conversations/conversations.module';
import { ModelVersionsModule } from '../model-versions/model-versions.module';
import { ServingModule } from '../serving/serving.module';
import { ApiKeyGuard } from './api-key.guard';
import { ChatCompletionsController } from './chat-completions.controller';
import { ChatCompletionsService } from './chat-completions.service';
import { ExchangeRecorder } from './exchange-recorder';
import { OpenAiModelsController } from './models.controller';
import { OPENAI_API_OPTIONS, openAiApiOptions } from './openai-api.options';

/**
 * The OpenAI-compatible chat API under /v1 (GET /v1/models, POST /v1/chat/completions): any OpenAI SDK or front-end
 * can chat with the models. ModelVersionsModule re-exports GenerationModule; ServingMetrics comes from MetricsModule;
 * ServingModule holds the reply admission shared with the socket chat.
 */
@Module({
  imports: [ConversationsModule, ModelVersionsModule, ServingModule],
  controllers: [OpenAiModelsController, ChatCompletionsController],
  providers: [
    { provide: OPENAI_API_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => openAiApiOptions(config) },
    ApiKeyGuard,
    ChatCompletionsService,
    ExchangeRecorder,
  ],
})
export class OpenAiApiModule {}
