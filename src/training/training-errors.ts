import { AppError } from '../common/errors';

export type TrainingErrorCode = 'TRAINING_DATA_EMPTY' | 'BASE_MODEL_MISMATCH' | 'CHECKPOINT_MISSING' | 'CHECKPOINT_MISMATCH' | 'EMBEDDINGS_MISMATCH';

/**
 * A training run that cannot start or go on with what it was given (data, base model, checkpoint, word vectors).
 * The message names the file or setting to change: it is what `npm run train` prints and what the admin API shows
 * as the run's error.
 */
export class TrainingError extends AppError<TrainingErrorCode> {}
