/**
 * What a model reads before replying: the conversation's own stored turns, one utterance each.
 * Compare mode stores several bot turns after a user turn (one per column, in column order); each column continues
 * from its own earlier replies, falling back to the first non-empty one. A reply that produced no text (failed,
 * interrupted by a restart, or still streaming) is left out. The rule reads only stored rows, so a conversation
 * resumed after a restart continues with exactly the same context.
 */
export interface ContextTurn {
  speaker: 'user' | 'bot';
  text: string;
}

export function replyContext(turns: readonly ContextTurn[], slot: number): string[] {
  const texts: string[] = [];
  for (let i = 0; i < turns.length; ) {
    if (turns[i].speaker === 'user') {
      texts.push(turns[i++].text);
      continue;
    }
    const group: string[] = [];
    while (i < turns.length && turns[i].speaker === 'bot') group.push(turns[i++].text);
    const own = group[slot];
    const chosen = own ? own : group.find((text) => text !== '');
    if (chosen !== undefined) texts.push(chosen);
  }
  return texts;
}
