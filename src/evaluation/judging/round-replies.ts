/**
 * The replies of the systems under test for a judging round: each system is a model and a decoding. Reply 0 of
 * each context goes on the sheet; with `diversitySamples` K > 1 the system also decodes K replies per context
 * (seeds 0..K−1; reply 0 is the sheet's) and the round records their mean inter-distinct-2, so diversity can be
 * read beside sense. Deterministic decodings decode once.
 */
import { loadModel, type LoadedModel } from '../../models/model-files';
import type { DecodingInput } from '../../generation';
import { contextStates } from '../comparison/context-states';
import { isDeterministic, rowSeed } from '../comparison/decoding-modes';
import { decodeBeam, decodeReplies, type ReplyJob } from '../comparison/reply-decoder';
import type { TestSet } from '../comparison/test-contexts';
import { interDistinct } from '../metrics/distinct';
import { mean } from '../statistics';
import { tokenizeWords } from '../../tokenization/word-tokens';
import type { SystemReplies } from './judging-sheet';

export interface SystemSpec {
  readonly name: string;
  readonly modelDir: string;
  readonly decoding: DecodingInput;
}

export interface DecodedSystem extends SystemReplies {
  readonly spec: SystemSpec;
  /** Mean over contexts of inter-distinct-2 of the K replies; undefined when K = 1. */
  readonly interDistinct2?: number;
}

/** `name=modelDir` or `name=modelDir:{"strategy":…}` (a decoding as JSON after the first colon). */
export function parseSystemSpec(text: string): SystemSpec {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new RangeError(`a system is name=modelDir[:decodingJSON], got ${JSON.stringify(text)}`);
  const rest = text.slice(eq + 1);
  const colon = rest.indexOf(':');
  const modelDir = colon < 0 ? rest : rest.slice(0, colon);
  let decoding: DecodingInput = {};
  if (colon >= 0) {
    try {
      decoding = JSON.parse(rest.slice(colon + 1)) as DecodingInput;
    } catch (e) {
      throw new RangeError(`${text.slice(0, eq)}: the decoding is not JSON (${(e as Error).message})`, { cause: e });
    }
  }
  if (!modelDir) throw new RangeError(`${text.slice(0, eq)}: no model folder`);
  return { name: text.slice(0, eq), modelDir, decoding };
}

export async function decodeSystems(specs: readonly SystemSpec[], set: TestSet, seed: number, diversitySamples = 1): Promise<DecodedSystem[]> {
  const models = new Map<string, LoadedModel>();
  const out: DecodedSystem[] = [];
  try {
    for (const spec of specs) {
      if (!models.has(spec.modelDir)) models.set(spec.modelDir, await loadModel(spec.modelDir));
      out.push(await decodeSystem(models.get(spec.modelDir)!, spec, set, seed, diversitySamples));
    }
  } finally {
    for (const m of models.values()) m.model.dispose();
  }
  return out;
}

async function decodeSystem(loaded: LoadedModel, spec: SystemSpec, set: TestSet, seed: number, samples: number): Promise<DecodedSystem> {
  const { model, tokenizer } = loaded;
  const states = contextStates(model, tokenizer, set);
  const k = isDeterministic(model.config.kind, spec.decoding) ? 1 : samples;
  let replies: string[][];
  if (spec.decoding.strategy === 'beam') {
    const best = await decodeBeam(model, tokenizer, states, spec.decoding);
    replies = best.map((r) => [r]);
  } else {
    const jobs: ReplyJob[] = set.contexts.flatMap((_, c) => Array.from({ length: k }, (__, s) => ({ context: c, decoding: { ...spec.decoding, seed: rowSeed(seed, c, s) } })));
    const texts = await decodeReplies(model, tokenizer, states, jobs);
    replies = set.contexts.map((_, c) => texts.slice(c * k, (c + 1) * k));
  }
  const interDistinct2 = samples > 1 ? mean(replies.map((r) => interDistinct(Array.from({ length: samples }, (_, s) => tokenizeWords(r[s % r.length])), 2))) : undefined;
  return { name: spec.name, spec, replies: replies.map((r) => r[0]), interDistinct2 };
}
