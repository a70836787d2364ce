import { AppError } from '../common/errors';

export type GenerationErrorCode = 'MODEL_NOT_LOADED';

/** A request the generation module cannot serve: the model it names is not loaded on this instance. */
export class GenerationError extends AppError<GenerationErrorCode> {}
