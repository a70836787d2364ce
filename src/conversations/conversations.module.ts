import { Module } from '@nestjs/common';
import { ConversationsRepository } from './conversations.repository';
import { ConversationsService } from './conversations.service';

/** Needs DatabaseModule (global) in the application. Export only the service: the repository stays private. */
@Module({
  providers: [ConversationsRepository, ConversationsService],
  exports: [ConversationsService],
})
export class ConversationsModule {}
