/**
 * Loaded models by model-version id, safe to swap while replies are in flight: a reply leases the
 * entry it starts with and keeps that model object to its end; a replaced or removed entry is
 * disposed only when its last lease is released.
 */
import { LoadedModel } from '../models/model-files';
import { ModelKind } from '../models/model-config';
import { GenerationError } from './generation-errors';

/** A model-version id, or "the most recently loaded model of this kind". */
export type ModelRef = string | { kind: ModelKind };

export interface ModelEntry extends LoadedModel {
  versionId: string;
  kind: ModelKind;
  /** Unique per load in this process: conversation states are cached under it (weights differ per load). */
  generation: number;
  loadedAt: Date;
  inFlight: number;
  retired: boolean;
}

export interface ModelInfo {
  versionId: string;
  kind: ModelKind;
  dir: string;
  loadedAt: string;
  inFlight: number;
  retired: boolean;
}

export interface Lease {
  entry: ModelEntry;
  release(): void;
}

let nextGeneration = 1;

export class ModelRegistry {
  private readonly current = new Map<string, ModelEntry>();
  private readonly retiring = new Set<ModelEntry>();

  /** `onDispose` runs after an entry's model is disposed (its copies elsewhere can go too). */
  constructor(private readonly onDispose?: (entry: ModelEntry) => void) {}

  /** Adds (or replaces) a version; returns the entry replaced, if any (disposed once unused). */
  add(versionId: string, loaded: LoadedModel): { entry: ModelEntry; replaced?: ModelEntry } {
    const entry: ModelEntry = {
      ...loaded,
      versionId,
      kind: loaded.model.config.kind,
      generation: nextGeneration++,
      loadedAt: new Date(),
      inFlight: 0,
      retired: false,
    };
    const replaced = this.current.get(versionId);
    this.current.set(versionId, entry);
    if (replaced) this.retire(replaced);
    return { entry, replaced };
  }

  remove(versionId: string): ModelEntry | undefined {
    const entry = this.current.get(versionId);
    if (entry) {
      this.current.delete(versionId);
      this.retire(entry);
    }
    return entry;
  }

  resolve(ref: ModelRef): ModelEntry {
    const entry =
      typeof ref === 'string'
        ? this.current.get(ref)
        : [...this.current.values()].filter((e) => e.kind === ref.kind).sort((a, b) => b.generation - a.generation)[0];
    if (!entry) {
      const what = typeof ref === 'string' ? `model version ${ref}` : `a ${ref.kind} model`;
      throw new GenerationError('MODEL_NOT_LOADED', `${what} is not loaded`, { ref });
    }
    return entry;
  }

  /** Pins the entry `ref` names now; release exactly once when the reply ends. */
  acquire(ref: ModelRef): Lease {
    const entry = this.resolve(ref);
    entry.inFlight++;
    let released = false;
    return {
      entry,
      release: () => {
        if (released) return;
        released = true;
        entry.inFlight--;
        if (entry.retired && entry.inFlight === 0) this.disposeEntry(entry);
      },
    };
  }

  list(): ModelInfo[] {
    return [...this.current.values(), ...this.retiring].map((e) => ({
      versionId: e.versionId,
      kind: e.kind,
      dir: e.dir,
      loadedAt: e.loadedAt.toISOString(),
      inFlight: e.inFlight,
      retired: e.retired,
    }));
  }

  /** Shutdown: retires every model; each is disposed now if idle, else when its last reply releases it. */
  disposeAll(): void {
    for (const e of this.current.values()) this.retire(e);
    this.current.clear();
  }

  private retire(entry: ModelEntry): void {
    entry.retired = true;
    if (entry.inFlight === 0) this.disposeEntry(entry);
    else this.retiring.add(entry);
  }

  private disposeEntry(entry: ModelEntry): void {
    this.retiring.delete(entry);
    entry.model.dispose();
    this.onDispose?.(entry);
  }
}
