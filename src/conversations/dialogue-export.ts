import type { ExportedConversation, TrainingTargets } from './conversation.types';

type StoredTurn = ExportedConversation['turns'][number];

/** A conversation as a training dialogue: its utterances, and which of them are learned (the others are context only). */
export interface TrainingDialogueText {
  turns: string[];
  targets: boolean[];
}

/**
 * A stored conversation as a training dialogue, or null when it has nothing to learn. What people wrote is the signal:
 * by default user turns are targets (with the conversation before them as context) and the bot's replies are context
 * only, unless a person rated one good or preferred it (`targets` changes both). The dialogue stops before the first
 * bot reply that did not finish (cancelled, failed, interrupted, still streaming) or, with minRating, that was rated
 * below it, and ends at its last target. A finished reply with no text is left out, as it is from a reply's context.
 * Several bot turns in a row (compare mode) become one: the preferred reply, else one rated good, else the first.
 */
export function toTrainingDialogue(conversation: ExportedConversation, targets: TrainingTargets, minRating?: number): TrainingDialogueText | null {
  const turns: string[] = [];
  const learned: boolean[] = [];
  const add = (text: string, learn: boolean) => {
    learned.push(learn && turns.length > 0); // the first turn answers nothing
    turns.push(text);
  };
  const all = conversation.turns;
  for (let i = 0; i < all.length; ) {
    if (all[i].speaker === 'user') {
      add(all[i++].text, targets.userTurns);
      continue;
    }
    const group: StoredTurn[] = [];
    while (i < all.length && all[i].speaker === 'bot') group.push(all[i++]);
    const finished = group.filter((t) => t.finishReason === 'complete' || t.finishReason === 'length');
    if (finished.length === 0) break;
    const reply = pickReply(finished.filter((t) => t.text.trim() !== ''));
    if (!reply) continue;
    if (minRating !== undefined && reply.feedback && reply.feedback.rating < minRating) break;
    add(reply.text, learnsReply(reply, targets.botTurns));
  }
  const last = learned.lastIndexOf(true);
  return last < 0 ? null : { turns: turns.slice(0, last + 1), targets: learned.slice(0, last + 1) };
}

const ratedGood = (t: StoredTurn) => t.feedback?.preferred === true || t.feedback?.rating === 1;

function pickReply(finished: StoredTurn[]): StoredTurn | undefined {
  return finished.find((t) => t.feedback?.preferred) ?? finished.find(ratedGood) ?? finished[0];
}

function learnsReply(reply: StoredTurn, botTurns: TrainingTargets['botTurns']): boolean {
  switch (botTurns) {
    case 'good':
      return ratedGood(reply);
    case 'not-bad':
      return ratedGood(reply) || !reply.feedback || reply.feedback.rating >= 0;
    case 'none':
      return false;
  }
}
