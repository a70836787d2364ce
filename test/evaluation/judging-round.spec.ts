/** A judging round end to end on tiny models: replies decoded per system, a sheet, labels, a report. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { drawJudgingContexts } from '../../src/evaluation/judging/judging-contexts';
import { writeRoundReport } from '../../src/evaluation/judging/judging-report';
import { parseLabels, scoreRound } from '../../src/evaluation/judging/judging-score';
import { buildSheet, HUMAN } from '../../src/evaluation/judging/judging-sheet';
import { decodeSystems, parseSystemSpec } from '../../src/evaluation/judging/round-replies';
import { useTensorBackend } from '../support/tensor-backend';
import { tempDir, TINY_DIALOGUES, writeCorpus } from '../support/tiny-corpus';
import { writeTinyModel } from './comparison-fixtures';

useTensorBackend();

describe('a judging round', () => {
  it('parses system specs', () => {
    expect(parseSystemSpec('hred-b=models/h:{"strategy":"beam","beamWidth":2}')).toEqual({ name: 'hred-b', modelDir: 'models/h', decoding: { strategy: 'beam', beamWidth: 2 } });
    expect(parseSystemSpec('x=models/h')).toEqual({ name: 'x', modelDir: 'models/h', decoding: {} });
    expect(() => parseSystemSpec('models/h')).toThrow(/name=modelDir/);
    expect(() => parseSystemSpec('x=m:{oops')).toThrow(/not JSON/);
  });

  it('decodes each system once per context, measures diversity where replies can vary, and scores labels', async () => {
    const dir = await tempDir();
    const data = await writeCorpus(dir, TINY_DIALOGUES, 'test.jsonl');
    const hred = await writeTinyModel(path.join(dir, 'hred'), 'hred', 3);
    const vhred = await writeTinyModel(path.join(dir, 'vhred'), 'vhred', 4);
    const set = await drawJudgingContexts(data, { count: 3, seed: 1 });
    const systems = await decodeSystems(
      [
        { name: 'hred-beam', modelDir: hred, decoding: { strategy: 'beam', beamWidth: 2, maxTokens: 5 } },
        { name: 'vhred-z', modelDir: vhred, decoding: { strategy: 'greedy', latent: 'sample', maxTokens: 5 } },
      ],
      set,
      1,
      4,
    );
    expect(systems.map((s) => s.replies.length)).toEqual([3, 3]);
    expect(systems[1].interDistinct2).toBeGreaterThan(0);
    // the same round decodes the same replies
    const again = await decodeSystems([{ name: 'vhred-z', modelDir: vhred, decoding: { strategy: 'greedy', latent: 'sample', maxTokens: 5 } }], set, 1, 4);
    expect(again[0].replies).toEqual(systems[1].replies);

    const sheet = buildSheet('tiny', set, systems, 1);
    const labels = Object.entries(sheet.key.labels)
      .map(([label, system]) => `${label}\t${system === HUMAN ? 1 : 0}\t${system === HUMAN ? 1 : 0}`)
      .join('\n');
    const score = scoreRound(sheet.key, [parseLabels(labels).labels], { resamples: 200 });
    expect(score.systems.map((s) => [s.system, s.ssa.value])).toEqual([
      ['hred-beam', 0],
      ['vhred-z', 0],
      [HUMAN, 1],
    ]);
    const files = await writeRoundReport(path.join(dir, 'round'), score);
    expect(await fs.readFile(files[1], 'utf8')).toMatch(/\| human \| 3 \| 1\.00 \[1\.00, 1\.00\]/);
  }, 60_000);
});
