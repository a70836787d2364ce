import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { ConversationsModule } from '../conversations/conversations.module';
import { ModelVersionsModule } from '../model-versions/model-versions.module';
import { ServingModule } from '../serving/serving.module';
import { ChatBroadcaster } from './chat.broadcaster';
import { ChatGateway } from './chat.gateway';
import { CHAT_OPTIONS, chatOptions } from './chat.options';
import { ChatPageController } from './chat-page.controller';
import { ChatService } from './chat.service';
import { ReplyStreamer } from './reply-streamer';

/**
 * Chat over socket.io (namespace /chat) and the chat page at /. ModelVersionsModule re-exports GenerationModule;
 * ServingModule holds the reply admission shared with /v1.
 */
@Module({
  imports: [ConversationsModule, ModelVersionsModule, ServingModule],
  controllers: [ChatPageController],
  providers: [
    { provide: CHAT_OPTIONS, inject: [APP_CONFIG], useFactory: (config: AppConfig) => chatOptions(config) },
    ChatBroadcaster,
    ChatGateway,
    ChatService,
    ReplyStreamer,
  ],
})
export class ChatModule {}
