/**
 * ConversationState as bytes: "HCS1", a uint32 header length, a JSON header padded to 4 bytes,
 * then float32 little-endian context | lastVector | lastOutputs. Bytes travel to Redis or a database
 * column; for JSON, base64 them. Decoding validates every length and value, so a corrupt or foreign
 * blob fails here rather than as a shape error deep in the decoder.
 */
import { MODEL_KINDS, ModelKind } from '../models/model-config';
import { ConversationState } from './conversation-state';

const MAGIC = 'HCS1';

interface StateHeader {
  kind: ModelKind;
  turns: number;
  contextSize: number;
  vectorSize: number;
  lastLength: number;
}

export class StateCodecError extends Error {
  override name = 'StateCodecError';
}

export function serializeState(s: ConversationState): Uint8Array {
  const header: StateHeader = { kind: s.kind, turns: s.turns, contextSize: s.context.length, vectorSize: s.lastVector.length, lastLength: s.lastLength };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const headerBytes = Math.ceil(json.length / 4) * 4;
  const floats = s.context.length + s.lastVector.length + s.lastOutputs.length;
  const out = new Uint8Array(8 + headerBytes + 4 * floats).fill(0x20, 8, 8 + headerBytes); // pad with spaces
  out.set(Buffer.from(MAGIC, 'ascii'), 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  const view = new DataView(out.buffer, 8 + headerBytes);
  let offset = 0;
  for (const part of [s.context, s.lastVector, s.lastOutputs]) {
    for (const x of part) {
      view.setFloat32(offset, x, true);
      offset += 4;
    }
  }
  return out;
}

export function deserializeState(bytes: Uint8Array): ConversationState {
  if (bytes.length < 8 || Buffer.from(bytes.subarray(0, 4)).toString('ascii') !== MAGIC) {
    throw new StateCodecError('not a conversation state (bad magic)');
  }
  const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = data.getUint32(4, true);
  const headerBytes = Math.ceil(jsonLength / 4) * 4;
  if (8 + headerBytes > bytes.length) throw new StateCodecError('truncated header');
  let header: StateHeader;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + jsonLength)).toString('utf8')) as StateHeader;
  } catch {
    throw new StateCodecError('header is not JSON');
  }
  const counts = [header.turns, header.contextSize, header.vectorSize, header.lastLength];
  if (!MODEL_KINDS.includes(header.kind) || !counts.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw new StateCodecError(`invalid header ${JSON.stringify(header)}`);
  }
  if ((header.turns === 0) !== (header.lastLength === 0)) throw new StateCodecError('turns and last utterance length disagree');
  const sizes = [header.contextSize, header.vectorSize, header.lastLength * header.vectorSize];
  const expected = 8 + headerBytes + 4 * sizes.reduce((a, b) => a + b, 0);
  if (bytes.length !== expected) throw new StateCodecError(`expected ${expected} bytes, got ${bytes.length}`);
  let offset = 8 + headerBytes;
  const [context, lastVector, lastOutputs] = sizes.map((n) => {
    const part = new Float32Array(n);
    for (let i = 0; i < n; i++, offset += 4) part[i] = data.getFloat32(offset, true);
    if (!part.every(Number.isFinite)) throw new StateCodecError('state holds a non-finite value');
    return part;
  });
  return { kind: header.kind, turns: header.turns, context, lastOutputs, lastLength: header.lastLength, lastVector };
}
