import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A few short English dialogues, enough for a tiny model to learn something. */
export const TINY_DIALOGUES = [
  ['hello there !', 'hi , how are you ?', 'fine , thanks .'],
  ['what time is it ?', "it's five o'clock .", 'thank you .'],
  ['do you like tea ?', 'yes , i love tea .', 'me too .'],
  ['where is the station ?', 'it is on the left .', 'thanks a lot .'],
  ['good morning .', 'good morning to you .'],
  ['can i help you ?', 'i want a coffee .', 'sure , one coffee .'],
];

export async function tempDir(prefix = 'hred-test-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Writes dialogues as DailyDialog-style JSONL and returns the file's path. */
export async function writeCorpus(dir: string, dialogues: string[][] = TINY_DIALOGUES, name = 'train.jsonl'): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, dialogues.map((turns, i) => JSON.stringify({ id: `d${i}`, turns })).join('\n') + '\n');
  return file;
}
