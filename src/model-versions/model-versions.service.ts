import { Inject, Injectable, Logger, OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { z } from 'zod';
import { CLUSTER_BUS, type ClusterBus } from '../cluster/cluster-bus';
import { promises as fs } from 'fs';
import * as path from 'path';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { AppError, ConflictError, NotFoundError } from '../common/errors';
import type { ModelVersion } from '../generated/prisma/client';
import { GenerationService } from '../generation';
import { MODEL_KINDS, ModelKind } from '../models/model-config';
import { MODEL_FILE, ModelFileError, readModelFile } from '../models/model-files';
import { TokenizerFileError } from '../tokenization/tokenization-errors';
import { ModelVersionsRepository } from './model-versions.repository';
import { isUuid } from '../common/ids';

/** What a conversation or request resolves a model reference to. */
export interface ResolvedModel {
  versionId: string;
  kind: ModelKind;
  name: string;
}

/** A kind follows the active version at each use; a version id pins that version. */
export type ModelReference = ModelKind | string;

export const DEFAULT_KIND: ModelKind = 'hred';
const UNLOAD_GRACE_MS = 30_000;
/** Cluster topic: a version became active on one instance; every other instance swaps to it too. */
const ACTIVATED_TOPIC = 'model-activated';
const activatedMessage = z.object({ kind: z.enum(MODEL_KINDS), versionId: z.string().refine(isUuid) });
/** The part of a run's metrics that compares its model with its base model (src/training/base-comparison.ts). */
const baselineMetrics = z.object({
  // JSON stores an overflowed perplexity (Infinity) as null
  baseline: z.object({
    beatBase: z.boolean(),
    keptEpoch: z.number().nullable(),
    sets: z.record(z.string(), z.object({ base: z.number().nullable(), model: z.number().nullable() })),
  }),
});

/**
 * The model versions the service knows (database) and which is live per kind, joined to the
 * models loaded in memory (GenerationService). Activation loads first, then flips the database,
 * so the swap is instant: replies already streaming finish on the model they leased.
 */
@Injectable()
export class ModelVersionsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ModelVersionsService.name);
  /** kind → active version id, mirrored from the database. */
  private readonly active = new Map<ModelKind, string>();
  /** Version rows by id: every chat turn resolves its model, and rows change only through this service. */
  private readonly rows = new Map<string, ModelVersion>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly repository: ModelVersionsRepository,
    private readonly generation: GenerationService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLUSTER_BUS) private readonly cluster: ClusterBus,
  ) {
    this.unsubscribe = cluster.subscribe(ACTIVATED_TOPIC, (payload) => this.adoptActivation(payload));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** Registers the models shipped in MODELS_DIR, activates one per kind where none is, loads the active ones. */
  async onApplicationBootstrap(): Promise<void> {
    for (const dir of await shippedModelDirs(this.config.modelsDir)) {
      const known = await this.repository.findByPath(dir);
      if (known) continue;
      try {
        const file = await readModelFile(dir);
        await this.register(dir, { kind: file.config.kind, name: path.basename(dir), metrics: file.summary });
      } catch (err) {
        this.logger.warn(`skipping ${dir}: ${(err as Error).message}`);
      }
    }
    const versions = await this.repository.list();
    for (const v of await this.repository.findActive()) this.active.set(v.kind, v.id);
    for (const kind of MODEL_KINDS) {
      if (this.active.has(kind)) continue;
      // The newest version that did not regress on its base; the newest of all when every one did (better than none).
      const ofKind = versions.filter((v) => v.kind === kind);
      const pick = ofKind.find((v) => !regression(v)) ?? ofKind[0];
      if (pick) await this.activate(pick.id, { force: true }).catch((err: Error) => this.logger.error(`cannot activate ${kind} model ${pick.id}: ${err.message}`));
    }
    for (const id of this.active.values()) {
      await this.ensureLoaded(id).catch((err: Error) => this.logger.error(`cannot load model ${id}: ${err.message}`));
    }
  }

  list(): Promise<ModelVersion[]> {
    return this.repository.list();
  }

  async get(id: string): Promise<ModelVersion> {
    const cached = this.rows.get(id);
    if (cached) return cached;
    const version = isUuid(id) ? await this.repository.find(id) : null;
    if (!version) throw new NotFoundError('model version', id);
    this.rows.set(id, version);
    return version;
  }

  activeVersionId(kind: ModelKind): string | undefined {
    return this.active.get(kind);
  }

  /** Records a model folder as a new (inactive) version. */
  async register(dir: string, meta: { kind: ModelKind; name: string; metrics?: object; trainingRunId?: string }): Promise<ModelVersion> {
    const file = await readModelFile(dir);
    if (file.config.kind !== meta.kind) throw new ConflictError(`${dir} holds a ${file.config.kind} model, not ${meta.kind}`);
    return this.repository.create({ ...meta, filesPath: path.resolve(dir), config: file.config });
  }

  /**
   * Hot swap: later replies of this kind use `id`, on this instance and (through the cluster bus) on every other.
   * A version whose training run did not beat its base model on every held-out validation set is refused (409)
   * unless `force`: no silent regression.
   */
  async activate(id: string, options: { force?: boolean } = {}): Promise<ModelVersion> {
    const version = await this.get(id);
    const regressed = regression(version);
    if (regressed && !options.force) {
      throw new ConflictError(`model version ${id} did not beat its base model on held-out data (${regressed}); activate it anyway with {"force": true}`, { id });
    }
    await this.ensureLoaded(id);
    const activated = await this.repository.activate(id, version.kind);
    this.swapTo(version.kind, id);
    this.logger.log(`activated ${version.kind} model ${version.name} (${id})`);
    await this.cluster.publish(ACTIVATED_TOPIC, { kind: version.kind, versionId: id });
    return activated;
  }

  /** Deletes a version that is not active; files are removed only when they are the service's own run output. */
  async delete(id: string): Promise<void> {
    const version = await this.get(id);
    // Decided by the database, not the cached row: an activation may have just happened.
    if (!(await this.repository.deleteInactive(id))) throw new ConflictError(`model version ${id} is active; activate another first`, { id });
    this.rows.delete(id);
    this.generation.unloadModel(id);
    const runs = path.resolve(this.config.dataDir, 'runs') + path.sep;
    if (version.filesPath.startsWith(runs)) await fs.rm(version.filesPath, { recursive: true, force: true });
  }

  /** A kind, a version id, or nothing (the default kind) → a version loaded and ready to reply. */
  async resolve(ref?: ModelReference): Promise<ResolvedModel> {
    const wanted = ref ?? DEFAULT_KIND;
    let version: ModelVersion;
    if ((MODEL_KINDS as readonly string[]).includes(wanted)) {
      const id = this.active.get(wanted as ModelKind);
      if (!id) throw new NotFoundError('active model of kind', wanted);
      version = await this.get(id);
    } else {
      version = await this.get(wanted);
    }
    await this.ensureLoaded(version.id);
    return { versionId: version.id, kind: version.kind, name: version.name };
  }

  /** Loads a version once, however many requests ask for it at the same time. */
  async ensureLoaded(id: string): Promise<void> {
    if (this.generation.models().some((m) => m.versionId === id && !m.retired)) return;
    let loading = this.loading.get(id);
    if (!loading) {
      loading = this.get(id)
        .then((version) => this.generation.loadModel(id, version.filesPath))
        .then(() => undefined, (error: unknown) => Promise.reject(unusable(id, error)))
        .finally(() => this.loading.delete(id));
      this.loading.set(id, loading);
    }
    await loading;
  }

  /** Another instance activated a version: load it, then swap, as activate() does after its database write. */
  private adoptActivation(payload: unknown): void {
    const message = activatedMessage.safeParse(payload);
    if (!message.success) return this.logger.warn('ignored a malformed model activation from the cluster');
    const { kind, versionId } = message.data;
    this.ensureLoaded(versionId).then(
      () => {
        this.swapTo(kind, versionId);
        this.logger.log(`activated ${kind} model ${versionId} (activated on another instance)`);
      },
      (error: Error) => this.logger.error(`cannot load model ${versionId} activated on another instance: ${error.message}`),
    );
  }

  private swapTo(kind: ModelKind, id: string): void {
    this.rows.clear(); // the previously active row changed too
    const previous = this.active.get(kind);
    this.active.set(kind, id);
    if (previous && previous !== id) this.unloadLater(previous);
  }

  /**
   * A reply resolves its version, then leases the loaded model a moment later; unloading the previous version
   * at once could pull it away in between. After the grace period every such reply holds its lease (the
   * registry disposes the model when the last one ends).
   */
  private unloadLater(id: string): void {
    const timer = setTimeout(() => {
      if (![...this.active.values()].includes(id)) this.generation.unloadModel(id);
    }, UNLOAD_GRACE_MS);
    timer.unref();
  }
}

/**
 * A version whose files fail to load (missing, corrupt, a weights checksum that does not match) is a conflict of
 * its state, answered in the documented error shape (409 on the admin API, model_not_found in the chat), not a 500.
 */
export class ModelUnusableError extends AppError<'model_unusable'> {
  constructor(id: string, error: ModelFileError | TokenizerFileError) {
    super('model_unusable', `model version ${id} cannot be loaded: ${error.message}`, { id, file: error.file, reason: error.code }, { cause: error });
  }
}

function unusable(id: string, error: unknown): unknown {
  return error instanceof ModelFileError || error instanceof TokenizerFileError ? new ModelUnusableError(id, error) : error;
}

/**
 * How a version fell short of its base model (`conversations perplexity 41.20 vs base 45.10, corpus …`), or undefined
 * when it did not (or has no base).
 */
function regression(version: Pick<ModelVersion, 'metrics'>): string | undefined {
  const parsed = baselineMetrics.safeParse(version.metrics);
  if (!parsed.success || parsed.data.baseline.beatBase) return undefined;
  const { keptEpoch, sets } = parsed.data.baseline;
  if (keptEpoch === null) return 'no epoch of its training run beat the base on every held-out set, so it holds the base model itself';
  const figure = (p: number | null) => (p === null ? '∞' : p.toFixed(2));
  return Object.entries(sets)
    .sort(([a], [b]) => a.localeCompare(b)) // the database may store JSON keys in another order
    .map(([name, s]) => `${name} perplexity ${figure(s.model)} vs base ${figure(s.base)}`)
    .join(', ');
}

/** Sub-folders of MODELS_DIR holding a model.json (a missing MODELS_DIR is simply empty). */
async function shippedModelDirs(modelsDir: string): Promise<string[]> {
  const root = path.resolve(modelsDir);
  const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  const dirs: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = path.join(root, e.name);
    if (await fs.access(path.join(dir, MODEL_FILE)).then(() => true, () => false)) dirs.push(dir);
  }
  return dirs.sort();
}
