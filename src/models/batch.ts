import { BOS_ID, EOS_ID, PAD_ID, UNK_ID } from '../tokenization/tokenizer';

/** A dialogue as token ids per turn (no bos/eos). */
export type DialogueIds = number[][];

/**
 * A dialogue some of whose turns are context only: encoded and carried by the context RNN, never decoded as targets
 * (e.g. a chatbot's own replies in collected conversations). `targets[t]` says whether turn t is learned.
 */
export interface MaskedDialogue {
  turns: DialogueIds;
  targets: readonly boolean[];
}

/** What a batch is made of: a plain dialogue learns every turn after the first. */
export type TrainingDialogue = DialogueIds | MaskedDialogue;

export const dialogueTurns = (d: TrainingDialogue): DialogueIds => (Array.isArray(d) ? d : d.turns);

/** Whether turn t of d is a target; the first turn never is (nothing comes before it). */
export const isTargetTurn = (d: TrainingDialogue, t: number): boolean => t > 0 && (Array.isArray(d) || d.targets[t] === true);

/**
 * Whole dialogues laid out for one training step. Every real utterance is encoded once
 * (rows of `encIds`); every target turn (every turn after the first, unless masked) is decoded with teacher forcing.
 */
export interface DialogueBatch {
  dialogues: number;
  /** Turn slots per dialogue (the longest dialogue in the batch). */
  turns: number;
  /** Real utterances U and the encoder length Le (longest utterance + eos). */
  utterances: number;
  encLength: number;
  /** [U, Le] utterance ids ending in eos, padded with pad; rows ordered longest first. */
  encIds: Int32Array;
  encMask: Float32Array;
  /** [U] real tokens of each row (eos included), non-increasing. */
  encLengths: number[];
  /** [B·T] utterance row for each (dialogue, turn) slot, or U (a zero row) where the dialogue has ended. */
  slotUtterance: Int32Array;
  slotMask: Float32Array;
  /** Targets N: their utterance row, the answered utterance's row, the context slot before them. */
  targets: number;
  targetUtterance: Int32Array;
  answeredUtterance: Int32Array;
  contextSlot: Int32Array;
  /** [N, Ld] decoder inputs (bos + reply, after word drop) and outputs (reply + eos). */
  decLength: number;
  decIn: Int32Array;
  decOut: Int32Array;
  decMask: Float32Array;
  /** Non-padding target positions (eos included). */
  targetTokens: number;
}

export interface BatchOptions {
  maxTurns: number;
  maxUtteranceTokens: number;
  /** Probability of replacing each decoder input other than bos with unk (VHRED word drop). */
  wordDrop?: number;
  /** Probability of replacing ALL of a reply's decoder inputs but bos with unk, so z and the context must carry it. */
  utteranceDrop?: number;
  random?: () => number;
}

export function buildBatch(dialogues: readonly TrainingDialogue[], opts: BatchOptions): DialogueBatch {
  const dialogs = dialogues.map((d) => dialogueTurns(d).slice(0, opts.maxTurns).map((u) => u.slice(0, opts.maxUtteranceTokens)));
  const B = dialogs.length;
  const T = Math.max(...dialogs.map((d) => d.length));
  const utts = dialogs.flat();
  const U = utts.length;
  const Le = Math.max(1, ...utts.map((u) => u.length)) + 1;

  // Encoder rows longest first: the encoder then steps only the utterances still running (a prefix of the rows).
  const order = utts.map((_, i) => i).sort((a, b) => utts[b].length - utts[a].length || a - b);
  const rowOf = new Int32Array(U);
  order.forEach((utterance, row) => (rowOf[utterance] = row));
  const encIds = new Int32Array(U * Le).fill(PAD_ID);
  const encMask = new Float32Array(U * Le);
  const encLengths = order.map((i) => utts[i].length + 1);
  order.forEach((utterance, row) => {
    const ids = [...utts[utterance], EOS_ID];
    ids.forEach((id, j) => {
      encIds[row * Le + j] = id;
      encMask[row * Le + j] = 1;
    });
  });

  const slotUtterance = new Int32Array(B * T).fill(U);
  const slotMask = new Float32Array(B * T);
  const target: number[] = [];
  const answered: number[] = [];
  const ctxSlot: number[] = [];
  let row = 0;
  dialogs.forEach((d, b) => {
    d.forEach((_, t) => {
      slotUtterance[b * T + t] = rowOf[row];
      slotMask[b * T + t] = 1;
      if (isTargetTurn(dialogues[b], t)) {
        target.push(row);
        answered.push(row - 1);
        ctxSlot.push(b * T + t - 1);
      }
      row++;
    });
  });

  const N = target.length;
  const Ld = Math.max(1, ...target.map((r) => utts[r].length)) + 1;
  const decIn = new Int32Array(N * Ld).fill(PAD_ID);
  const decOut = new Int32Array(N * Ld).fill(PAD_ID);
  const decMask = new Float32Array(N * Ld);
  const drop = opts.wordDrop ?? 0;
  const utteranceDrop = opts.utteranceDrop ?? 0;
  const random = opts.random ?? Math.random;
  let targetTokens = 0;
  target.forEach((r, n) => {
    const reply = utts[r];
    const inputs = [BOS_ID, ...reply];
    const outputs = [...reply, EOS_ID];
    // Drawn only when on, so runs without it see the same random sequence as before it existed.
    const dropAll = utteranceDrop > 0 && random() < utteranceDrop;
    for (let j = 0; j < outputs.length; j++) {
      decIn[n * Ld + j] = j > 0 && (dropAll || (drop > 0 && random() < drop)) ? UNK_ID : inputs[j];
      decOut[n * Ld + j] = outputs[j];
      decMask[n * Ld + j] = 1;
    }
    targetTokens += outputs.length;
  });

  return {
    dialogues: B,
    turns: T,
    utterances: U,
    encLength: Le,
    encIds,
    encMask,
    encLengths,
    slotUtterance,
    slotMask,
    targets: N,
    targetUtterance: Int32Array.from(target, (u) => rowOf[u]),
    answeredUtterance: Int32Array.from(answered, (u) => rowOf[u]),
    contextSlot: Int32Array.from(ctxSlot),
    decLength: Ld,
    decIn,
    decOut,
    decMask,
    targetTokens,
  };
}
