import { useTensorBackend } from '../../../test/support/tensor-backend';
import { generateReply, rebuildState, utteranceIds } from '../../generation';
import { TINY_DIALOGUES, tinyModel, tinyTokenizer } from '../../../test/support/generation-kit';
import { contextStates } from './context-states';
import { decodeReplies, type ReplyJob } from './reply-decoder';

describe(decodeReplies.name, () => {
  useTensorBackend();

  test('states of every context equal rebuildState of its turns', async () => {
    const tokenizer = await tinyTokenizer();
    const model = tinyModel('hred', tokenizer.vocabSize);
    const set = { contexts: [1, 2, 3].map((position) => ({ dialogue: 0, dialogueId: 'd0', position, reference: '' })), dialogues: [{ id: 'd0', turns: TINY_DIALOGUES[0] }] };
    const states = contextStates(model, tokenizer, set);
    const expected = rebuildState(model, TINY_DIALOGUES[0].slice(0, 2).map((t) => utteranceIds(tokenizer, t, model.config)));
    expect(states[1].turns).toBe(2);
    expect(Array.from(states[1].context)).toEqual(Array.from(expected.context).map((v) => expect.closeTo(v, 5)));
    model.dispose();
  });

  test('continuous batching gives each job the reply it gets alone', async () => {
    const tokenizer = await tinyTokenizer();
    const model = tinyModel('vhred', tokenizer.vocabSize);
    const set = { contexts: [1, 2].map((position) => ({ dialogue: 0, dialogueId: 'd0', position, reference: '' })), dialogues: [{ id: 'd0', turns: TINY_DIALOGUES[0] }] };
    const states = contextStates(model, tokenizer, set);
    const jobs: ReplyJob[] = [0, 1, 0, 1, 0].map((context, i) => ({
      context,
      decoding: { strategy: i % 2 ? 'greedy' : 'sample', latent: 'sample', seed: 100 + i, maxTokens: 6 },
    }));
    const batched = await decodeReplies(model, tokenizer, states, jobs, { maxRows: 2 });
    const alone = await Promise.all(jobs.map(async (job) => (await generateReply(model, tokenizer, states[job.context], job.decoding)).text));
    expect(batched).toEqual(alone);
    model.dispose();
  });
});
