import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorpusIssue, Dialogue, ReadCorpusOptions, readDialogues } from './corpus-reader';
import { CorpusError } from './tokenization-errors';

async function readAll(file: string, options?: ReadCorpusOptions): Promise<Dialogue[]> {
  const dialogues: Dialogue[] = [];
  for await (const dialogue of readDialogues(file, options)) dialogues.push(dialogue);
  return dialogues;
}

describe(readDialogues.name, () => {
  let dir: string;
  const write = async (name: string, content: string | Buffer) => {
    const file = join(dir, name);
    await writeFile(file, content);
    return file;
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'corpus-reader-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads DailyDialog JSONL, ignoring extra fields', async () => {
    const file = await write('dd.jsonl', [
      '{"id": "train-000001", "turns": ["Say , Jim .", "Yes ?"], "acts": [3, 4], "emotions": [0, 0]}',
      '{"id": "train-000002", "turns": ["Hi", "Hello", "Bye"]}',
      '',
    ].join('\n'));
    expect(await readAll(file)).toEqual([
      { id: 'train-000001', turns: ['Say , Jim .', 'Yes ?'] },
      { id: 'train-000002', turns: ['Hi', 'Hello', 'Bye'] },
    ]);
  });

  it('reads exported conversations: numeric or missing ids, empty turns dropped, CRLF', async () => {
    const file = await write('export.jsonl', '{"id": 7, "turns": ["  a  b ", "", "c"], "model": "hred"}\r\n{"turns": ["x"]}\r\n{"id": "e", "turns": [" "]}\r\n');
    expect(await readAll(file)).toEqual([
      { id: '7', turns: ['a b', 'c'] },
      { id: 'export.jsonl:2', turns: ['x'] },
    ]);
  });

  it('reads the target flags of exported conversations, each kept with its turn, and refuses flags that do not fit', async () => {
    const file = await write(
      'targets.jsonl',
      ['{"id": "a", "turns": ["hi", " ", "how are you ?"], "targets": [false, false, true]}', '{"id": "b", "turns": ["x", "y"], "targets": [true]}', '{"id": "c", "turns": ["x", "y"], "targets": [0, 1]}'].join('\n'),
    );
    const issues: CorpusIssue[] = [];
    expect(await readAll(file, { onError: (issue) => issues.push(issue) })).toEqual([{ id: 'a', turns: ['hi', 'how are you ?'], targets: [false, true] }]);
    expect(issues.map((i) => [i.line, i.message])).toEqual([
      [2, 'expected "targets": an array of booleans, one per turn'],
      [3, 'expected "targets": an array of booleans, one per turn'],
    ]);
  });

  it('reads plain text: one utterance a line, blank lines between dialogues', async () => {
    const file = await write('chat.txt', 'Hi there.\nHello!\n\n\n  \nHow are you?\nFine.\n');
    expect(await readAll(file)).toEqual([
      { id: 'chat.txt:1', turns: ['Hi there.', 'Hello!'] },
      { id: 'chat.txt:6', turns: ['How are you?', 'Fine.'] },
    ]);
  });

  it('takes an explicit format over the extension, and refuses an unknown extension', async () => {
    const file = await write('corpus.data', '{"id": "a", "turns": ["x"]}\n');
    expect(await readAll(file, { format: 'jsonl' })).toEqual([{ id: 'a', turns: ['x'] }]);
    await expect(readAll(file)).rejects.toMatchObject({ code: 'CORPUS_FORMAT_UNKNOWN', file });
  });

  it('skips a malformed line and reports its file and line number', async () => {
    const file = await write('bad.jsonl', '{"id": "a", "turns": ["x"]}\n{"id": "b", "turns": [\n{"id": "c", "turns": "x"}\n{"id": "d", "turns": ["y"]}\n');
    const issues: CorpusIssue[] = [];
    const dialogues = await readAll(file, { onError: (issue) => issues.push(issue) });
    expect(dialogues.map((d) => d.id)).toEqual(['a', 'd']);
    expect(issues.map(({ file, line }) => ({ file, line }))).toEqual([{ file, line: 2 }, { file, line: 3 }]);
  });

  it('rejects a malformed line with a typed error when asked to', async () => {
    const file = await write('bad.jsonl', '{"id": "a", "turns": ["x"]}\nnot json\n');
    const error = await readAll(file, { malformed: 'throw' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorpusError);
    expect(error).toMatchObject({ code: 'CORPUS_LINE_MALFORMED', file, line: 2 });
  });

  it('reads an empty file as no dialogues', async () => {
    expect(await readAll(await write('empty.jsonl', ''))).toEqual([]);
    expect(await readAll(await write('empty.txt', ''))).toEqual([]);
  });

  it('drops a byte-order mark and survives a stray byte', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const jsonl = await write('bom.jsonl', Buffer.concat([bom, Buffer.from('{"id": "a", "turns": ["caf'), Buffer.from([0xe9]), Buffer.from('"]}\n')]));
    expect(await readAll(jsonl, { malformed: 'throw' })).toEqual([{ id: 'a', turns: ['caf\ufffd'] }]);
    const txt = await write('bom.txt', Buffer.concat([bom, Buffer.from('Hello\nBye\n')]));
    expect(await readAll(txt)).toEqual([{ id: 'bom.txt:1', turns: ['Hello', 'Bye'] }]);
  });
});
