/**
 * A blind judging sheet and its key. Each context lists its candidates (every system under test and the human
 * reply) in one surface form, shuffled per context, under opaque labels `<context>.<letter>`; the key, which maps
 * labels to systems, is a separate object for a separate file. Identical replies stay separate candidates (each
 * system is rated on every context), so duplicates do not reveal anything either.
 */
import { SeededRandom, shuffle } from '../../common/random';
import type { TestSet } from '../comparison/test-contexts';
import { surfaceForm } from './surface-form';

/** The human reply's system name in keys and scores. */
export const HUMAN = 'human';

export interface SystemReplies {
  readonly name: string;
  /** One reply per context of the set, in its order. */
  readonly replies: readonly string[];
}

export interface SheetItem {
  readonly number: number;
  /** Context turns, oldest first, in the same surface form. */
  readonly context: readonly string[];
  readonly candidates: readonly { label: string; reply: string }[];
}

export interface JudgingKey {
  readonly round: string;
  readonly seed: number;
  readonly systems: readonly string[];
  readonly contexts: readonly { number: number; dialogueId: string; position: number }[];
  /** label → system */
  readonly labels: Readonly<Record<string, string>>;
}

export interface JudgingSheet {
  readonly items: readonly SheetItem[];
  readonly key: JudgingKey;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

export function buildSheet(round: string, set: TestSet, systems: readonly SystemReplies[], seed: number): JudgingSheet {
  const names = [...systems.map((s) => s.name), HUMAN];
  if (new Set(names).size !== names.length) throw new RangeError(`system names must be unique and not "${HUMAN}": ${names.join(', ')}`);
  if (names.length > LETTERS.length) throw new RangeError(`at most ${LETTERS.length - 1} systems on one sheet`);
  for (const s of systems) {
    if (s.replies.length !== set.contexts.length) throw new RangeError(`${s.name}: ${s.replies.length} replies for ${set.contexts.length} contexts`);
  }
  const random = new SeededRandom(seed);
  const labels: Record<string, string> = {};
  const items = set.contexts.map((c, i) => {
    const number = i + 1;
    const candidates = [...systems.map((s) => ({ system: s.name, reply: s.replies[i] })), { system: HUMAN, reply: c.reference }];
    shuffle(candidates, random);
    return {
      number,
      context: set.dialogues[c.dialogue].turns.slice(0, c.position).map(surfaceForm),
      candidates: candidates.map((cand, j) => {
        const label = `${number}.${LETTERS[j]}`;
        labels[label] = cand.system;
        return { label, reply: surfaceForm(cand.reply) };
      }),
    };
  });
  const contexts = set.contexts.map((c, i) => ({ number: i + 1, dialogueId: c.dialogueId, position: c.position }));
  return { items, key: { round, seed, systems: names, contexts, labels } };
}

/** The definitions raters work from (shared/notes/rating.md), and nothing about the systems. */
export const RATING_INSTRUCTIONS = `For each candidate reply, give two labels (1 or 0):
- sensible: it makes sense as the next turn of this conversation: coherent, understandable, consistent with what
  was said, no non sequitur, no common-sense absurdity. Unsure or confusing: 0.
- specific (only when sensible; otherwise 0): it fits THIS context and not almost any context. "i don't know",
  "ok", "thank you", "what is it?" are generic unless they clearly fit only here.
Judge every candidate on its own against the context; candidates are in random order and may repeat.
Write one line per candidate: label<TAB>sensible<TAB>specific (labels-template.tsv lists every label).`;

/** The sheet as raters read it: the instructions, then each context with its lettered candidates. */
export function renderSheet(sheet: JudgingSheet): string {
  const speaker = (turnsBefore: number, i: number) => ((turnsBefore - i) % 2 === 1 ? 'B' : 'A'); // the reply is always A's
  const blocks = sheet.items.map((item) =>
    [
      `## ${item.number}`,
      ...item.context.map((t, i) => `${speaker(item.context.length, i)}: ${t}`),
      'candidates for A:',
      ...item.candidates.map((c) => `[${c.label}] ${c.reply}`),
    ].join('\n'),
  );
  return [`# Judging sheet: ${sheet.key.round}`, '', RATING_INSTRUCTIONS, '', ...blocks.flatMap((b) => [b, ''])].join('\n');
}

export function labelsTemplate(sheet: JudgingSheet): string {
  return ['label\tsensible\tspecific', ...sheet.items.flatMap((item) => item.candidates.map((c) => `${c.label}\t\t`))].join('\n') + '\n';
}
