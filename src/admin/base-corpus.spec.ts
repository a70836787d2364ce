import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../../test/support/tiny-corpus';
import { findRecordedFile, recordedCorpus } from './base-corpus';

describe(recordedCorpus.name, () => {
  it("reads a model's training and validation data from its summary", () => {
    const summary = { trainData: 'train.jsonl', options: { trainData: '../shared/data/dailydialog/train.jsonl', validationData: '../shared/data/dailydialog/validation.jsonl' } };
    expect(recordedCorpus(summary)).toEqual({ train: '../shared/data/dailydialog/train.jsonl', validation: '../shared/data/dailydialog/validation.jsonl' });
  });

  it('of a model fine-tuned on conversations with replay: the corpus it replayed and was scored on, not the conversations', () => {
    const summary = { options: { trainData: '/data/runs/x/data/train.jsonl', validationData: '/data/runs/x/data/held-out.jsonl', replay: { data: '/corpus/dd/train.jsonl', ratio: 1 }, alsoValidate: { corpus: '/corpus/dd/validation.jsonl' } } };
    expect(recordedCorpus(summary)).toEqual({ train: '/corpus/dd/train.jsonl', validation: '/corpus/dd/validation.jsonl' });
  });

  it('is empty for a summary without options', () => expect(recordedCorpus({ trainData: 'train.jsonl' })).toEqual({}));
});

describe(findRecordedFile.name, () => {
  it("finds a path recorded relative to another folder by its trailing parts, under the roots only", async () => {
    const corpusDir = await tempDir();
    const dataDir = await tempDir();
    await fs.mkdir(path.join(corpusDir, 'dailydialog'));
    await fs.writeFile(path.join(corpusDir, 'dailydialog', 'train.jsonl'), '');
    const roots = [corpusDir, dataDir];
    expect(await findRecordedFile('../shared/data/dailydialog/train.jsonl', roots)).toBe(await fs.realpath(path.join(corpusDir, 'dailydialog', 'train.jsonl')));
    expect(await findRecordedFile('../shared/data/dailydialog/test.jsonl', roots)).toBeUndefined();
    // an absolute path outside the roots is not taken, even though the file exists
    const outside = await tempDir();
    await fs.writeFile(path.join(outside, 'secret.jsonl'), '');
    expect(await findRecordedFile(path.join(outside, 'secret.jsonl'), roots)).toBeUndefined();
  });
});
