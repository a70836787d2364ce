import * as tf from '@tensorflow/tfjs';
import { activeUnits } from '../models/active-units';
import { buildBatch, TrainingDialogue } from '../models/batch';
import { DialogueModel } from '../models/dialogue-model';
import { batchLoss } from '../models/loss';

export interface TeacherForcedScore {
  nll: number;
  kl: number;
  targetTokens: number;
  replies: number;
  /** exp(NLL / tokens); for VHRED z comes from the posterior, so this is the reconstruction term only. */
  reconstructionPerplexity: number;
  /** exp((NLL + KL) / tokens): the perplexity bound from the ELBO (equals the above for HRED/Seq2Seq). */
  perplexity: number;
  activeUnits?: number;
}

/** Teacher-forced NLL and KL over dialogues (no word drop, full KL weight), in batches. */
export function scoreDialogues(model: DialogueModel, dialogues: readonly TrainingDialogue[], batchSize = 16, seed = 7): TeacherForcedScore {
  const c = model.config;
  let nll = 0;
  let kl = 0;
  let targetTokens = 0;
  let replies = 0;
  const means: Float32Array[] = [];
  for (let i = 0; i < dialogues.length; i += batchSize) {
    const batch = buildBatch(dialogues.slice(i, i + batchSize), { maxTurns: c.maxTurns, maxUtteranceTokens: c.maxUtteranceTokens });
    tf.tidy(() => {
      const terms = batchLoss(model, batch, { klWeight: 1, freeBits: 0, bowWeight: 0, seed: seed + i });
      nll += terms.nll.dataSync()[0];
      kl += terms.kl.dataSync()[0];
      if (terms.posteriorMean) {
        const m = terms.posteriorMean.dataSync() as Float32Array;
        const z = terms.posteriorMean.shape[1];
        for (let r = 0; r < terms.posteriorMean.shape[0]; r++) means.push(m.slice(r * z, (r + 1) * z));
      }
    });
    targetTokens += batch.targetTokens;
    replies += batch.targets;
  }
  const tokens = Math.max(1, targetTokens);
  return {
    nll,
    kl,
    targetTokens,
    replies,
    reconstructionPerplexity: Math.exp(nll / tokens),
    perplexity: Math.exp((nll + kl) / tokens),
    activeUnits: c.kind === 'vhred' ? activeUnits(means).count : undefined,
  };
}
