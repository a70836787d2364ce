import type { ExportedConversation } from './conversation.types';

type StoredTurn = ExportedConversation['turns'][number];

/**
 * A stored conversation as a training dialogue (a list of utterances), or null when fewer than two remain.
 * The dialogue stops before the first bot reply that did not finish (cancelled, failed, interrupted, still streaming)
 * or, with minRating, that was rated below it. Several bot turns in a row (compare mode) become one: the preferred
 * reply if one was marked, else the first that finished.
 */
export function toDialogue(conversation: ExportedConversation, minRating?: number): string[] | null {
  const texts: string[] = [];
  const { turns } = conversation;
  for (let i = 0; i < turns.length; ) {
    if (turns[i].speaker === 'user') {
      texts.push(turns[i++].text);
      continue;
    }
    const group: StoredTurn[] = [];
    while (i < turns.length && turns[i].speaker === 'bot') group.push(turns[i++]);
    const reply = pickReply(group);
    if (!reply || (minRating !== undefined && reply.feedback && reply.feedback.rating < minRating)) break;
    texts.push(reply.text);
  }
  return texts.length >= 2 ? texts : null;
}

function pickReply(group: StoredTurn[]): StoredTurn | undefined {
  const finished = group.filter((t) => t.finishReason === 'complete' || t.finishReason === 'length');
  return finished.find((t) => t.feedback?.preferred) ?? finished[0];
}
