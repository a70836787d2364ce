/**
 * npm run bench [-- --quick] [--only tokenizer,train,generation,service,memory,load]
 * Prints one JSON line per figure (shared/bench/SPEC.md form); the first line names the backend.
 * --quick runs each section on a few steps/replies: a smoke test, not figures to quote.
 */
import { parseArgs } from 'node:util';
import { BackendChoice, initTensorBackend } from '../src/tensor/backend';
import { createBenchContext } from './bench/bench-context';
import { benchGeneration } from './bench/generation-bench';
import { benchLoad } from './bench/load-bench';
import { benchMemory } from './bench/memory-bench';
import { benchService } from './bench/service-bench';
import { benchTokenizers } from './bench/tokenizer-bench';
import { benchTraining } from './bench/train-bench';

const SECTIONS = { tokenizer: benchTokenizers, train: benchTraining, generation: benchGeneration, service: benchService, memory: benchMemory, load: benchLoad } as const;
/**
 * `memory` (1,000 training steps and 1,000 replies, ~15 minutes) and `load` (issue 19's 50 and 200 chat clients on
 * PGlite and PostgreSQL, a few minutes) run only when named: the rest stays under 10 minutes.
 */
const DEFAULT_SECTIONS = ['tokenizer', 'train', 'generation', 'service'];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, backend: { type: 'string' } } });
  const backend = await initTensorBackend((values.backend ?? process.env.TF_BACKEND ?? 'auto') as BackendChoice);
  const names = values.only ? values.only.split(',') : DEFAULT_SECTIONS;
  const unknown = names.filter((n) => !(n in SECTIONS));
  if (unknown.length) throw new Error(`unknown section(s) ${unknown.join(', ')}; choose from ${Object.keys(SECTIONS).join(', ')}`);
  console.log(JSON.stringify({ impl: 'project', metric: 'environment', backend: backend.name, threads: backend.threads, nativeKernels: backend.nativeKernels, ...(backend.nativeKernelsNote ? { nativeKernelsNote: backend.nativeKernelsNote } : {}), ...(backend.blas ? { blas: backend.blas } : {}), quick: values.quick, node: process.version }));
  const ctx = await createBenchContext(values.quick ?? false, backend);
  for (const name of names) await SECTIONS[name as keyof typeof SECTIONS](ctx);
}

main().catch((err: Error) => {
  console.error(`bench: ${err.message}`);
  process.exit(1); // worker threads of a failed section would keep the process alive
});
