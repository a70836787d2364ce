import { TrainingProgress } from './progress';
import { TrainingResult } from './trainer';

export type WorkerMessage =
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'result'; result: TrainingResult }
  | { type: 'error'; message: string };
