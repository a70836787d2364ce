import { AppError } from '../common/errors';

/**
 * MODEL_NOT_LOADED: no loaded model answers to the reference. DECODER_THREAD_EXITED: the decoder thread decoding the
 * reply died (decoder-thread.ts); the reply is lost, a new thread takes the next ones. DECODER_THREADS_DOWN: no decoder
 * thread could start.
 */
export type GenerationErrorCode = 'MODEL_NOT_LOADED' | 'DECODER_THREAD_EXITED' | 'DECODER_THREADS_DOWN';

/** A request the generation module cannot serve: the model it names is not loaded here, or its decoder thread died. */
export class GenerationError extends AppError<GenerationErrorCode> {}
