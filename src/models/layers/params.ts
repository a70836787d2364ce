import * as tf from '@tensorflow/tfjs';

/** Named trainable variables of one model, created deterministically from a seed. */
let instances = 0;

export class ParamStore {
  readonly vars = new Map<string, tf.Variable>();
  private nextSeed: number;
  /** tfjs registers variables by a process-wide name; the prefix keeps two models apart. */
  private readonly prefix = `model${++instances}`;

  constructor(seed: number) {
    this.nextSeed = seed;
  }

  /** Glorot-uniform matrix [fanIn, fanOut]. */
  glorot(name: string, shape: [number, number]): tf.Variable {
    const limit = Math.sqrt(6 / (shape[0] + shape[1]));
    return this.add(name, tf.randomUniform(shape, -limit, limit, 'float32', this.nextSeed++));
  }

  uniform(name: string, shape: number[], limit: number): tf.Variable {
    return this.add(name, tf.randomUniform(shape, -limit, limit, 'float32', this.nextSeed++));
  }

  zeros(name: string, shape: number[]): tf.Variable {
    return this.add(name, tf.zeros(shape));
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    // A programming error (a parameter name mistyped): model files are checked against the parameters when loaded.
    if (!v) throw new Error(`model has no parameter "${name}"`);
    return v;
  }

  /** Total number of scalar parameters. */
  count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }

  /** The parameter a tfjs variable name (this store's or another model's, e.g. read back from a checkpoint) stands for. */
  static parameterOf(variableName: string): string {
    return variableName.slice(variableName.indexOf('/') + 1);
  }

  private add(name: string, init: tf.Tensor): tf.Variable {
    // A programming error in a layer's create(): names come from the code, never from input.
    if (this.vars.has(name)) throw new Error(`parameter "${name}" defined twice`);
    const v = tf.variable(init, true, `${this.prefix}/${name}`);
    init.dispose();
    this.vars.set(name, v);
    return v;
  }
}
