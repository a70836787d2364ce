import type { WorkerMessage as JobMessage } from '../common/run-in-worker';
import { TrainingProgress } from './progress';
import { TrainingResult } from './trainer';

export type WorkerMessage = JobMessage<TrainingResult, TrainingProgress>;
