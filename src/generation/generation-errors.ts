/**
 * MODEL_NOT_LOADED: no loaded model answers to the reference. DECODER_THREAD_EXITED: the decoder thread decoding the
 * reply died (decoder-thread.ts); the reply is lost, a new thread takes the next ones. DECODER_THREADS_DOWN: no decoder
 * thread could start.
 */
export type GenerationErrorCode = 'MODEL_NOT_LOADED' | 'DECODER_THREAD_EXITED' | 'DECODER_THREADS_DOWN';

/** A request the generation module cannot serve; `code` is stable for API responses. */
export class GenerationError extends Error {
  override name = 'GenerationError';

  constructor(
    readonly code: GenerationErrorCode,
    message: string,
    readonly meta: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
