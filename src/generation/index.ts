// The public surface of generation; other folders import from here.
export * from './conversation-state';
export * from './decoding-options';
export * from './generation-events';
export { generateStream, generateReply, lastEvent } from './decode';
export { ReplyBatcher } from './batcher';
export type { BatcherOptions } from './batcher';
export * as sampling from './sampling';
export { gnmtLengthPenalty } from './beam-search';
export type { ModelRef, ModelInfo } from './model-registry';
export { GenerationError } from './generation-errors';
export type { GenerationErrorCode } from './generation-errors';
export { GenerationService } from './generation.service';
export type { ConversationHistory, ConversationRead } from './generation.service';
export { prefixDigests } from './prefix-digest';
export { LruCache } from './lru-cache';
export { GenerationModule } from './generation.module';
