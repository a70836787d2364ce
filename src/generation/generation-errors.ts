export type GenerationErrorCode = 'MODEL_NOT_LOADED';

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
