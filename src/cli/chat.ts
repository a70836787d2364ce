/**
 * npm run chat -- --model models/<name> [--strategy greedy|sample|beam] [--temperature T] [--top-p P] [--seed S]
 * A terminal chat that keeps the conversation's context: each turn is encoded once into the state.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ConversationState, initialState, observeUtterances, utteranceIds, generateStream, parseDecoding } from '../generation';
import { loadModel } from '../models/model-files';
import { BackendChoice, initTensorBackend } from '../tensor/backend';

const HELP = `Usage: npm run chat -- --model <dir> [--strategy greedy|sample|beam] [--temperature T] [--top-k K] [--top-p P] [--beam-width W] [--latent sample|mean] [--seed S]
Type a message and press Enter; /reset starts a new conversation, /quit (or Ctrl-D) leaves.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      strategy: { type: 'string' },
      temperature: { type: 'string' },
      'top-k': { type: 'string' },
      'top-p': { type: 'string' },
      'beam-width': { type: 'string' },
      latent: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values.model) {
    console.log(HELP);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const num = (v?: string) => (v === undefined ? undefined : Number(v));
  const decoding = parseDecoding({
    strategy: values.strategy,
    temperature: num(values.temperature),
    topK: num(values['top-k']),
    topP: num(values['top-p']),
    beamWidth: num(values['beam-width']),
    latent: values.latent,
    seed: num(values.seed),
  });
  await initTensorBackend((values.backend ?? process.env.TF_BACKEND ?? 'auto') as BackendChoice);
  const { model, tokenizer, summary } = await loadModel(values.model);
  console.log(`${model.config.kind} model from ${values.model} (${summary.trainedSteps ?? '?'} steps). ${HELP.split('\n')[1]}`);

  // Iterating the lines (not rl.question) buffers piped input while a reply is being generated.
  const rl = createInterface({ input: process.stdin, terminal: false });
  const prompt = () => process.stdout.write('you> ');
  let state: ConversationState = initialState(model);
  const observe = (text: string) => {
    [state] = observeUtterances(model, [state], [utteranceIds(tokenizer, text, model.config)]);
  };
  prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (!process.stdin.isTTY) process.stdout.write(`${line}\n`);
    if (line === '/quit') break;
    if (line === '/reset') {
      state = initialState(model);
      console.log('(new conversation)');
      prompt();
      continue;
    }
    if (!line) {
      prompt();
      continue;
    }
    observe(line);
    process.stdout.write('bot> ');
    let reply = '';
    for await (const event of generateStream(model, tokenizer, state, decoding)) {
      if (event.type === 'token') process.stdout.write(event.delta);
      else reply = event.text;
    }
    process.stdout.write('\n');
    observe(reply);
    prompt();
  }
  rl.close();
  model.dispose();
}

main().catch((err: Error) => {
  console.error(`chat: ${err.message}`);
  process.exitCode = 1;
});
