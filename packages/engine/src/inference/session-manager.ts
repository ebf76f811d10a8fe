/**
 * Opens onnxruntime sessions for registry models and keeps them for reuse across jobs. Each session
 * is created once per model (concurrent callers share the same promise), warmed up with one run so the
 * first real frame does not pay for allocation, and released by `dispose()`.
 */
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { VigilError } from '../errors.js';
import type { EpName, EpSetting } from './execution-providers.js';
import { planExecutionProviders } from './execution-providers.js';
import type { ModelManifest } from './manifest.js';
import { ModelRegistry } from './registry.js';

export interface SessionManagerOptions {
  registry?: ModelRegistry;
  /** Execution providers: 'auto' (default), one name, or an ordered list. */
  ep?: EpSetting;
  /** Fail instead of falling back to CPU when a requested provider is unavailable. */
  requireEp?: boolean;
  /** Intra-op threads; default: every core this process may use. */
  threads?: number;
  /** Run one inference on zeros after loading (default true). */
  warmup?: boolean;
  onWarning?: (message: string) => void;
}

export interface ModelSession {
  name: string;
  manifest: ModelManifest;
  /** Execution provider the session runs on. */
  ep: EpName;
  session: ort.InferenceSession;
}

/**
 * Worker threads sleep instead of spinning between ops: the engine shares the CPU with decoding, the
 * UI and other jobs, and spinning workers starve them (and themselves: 2-thread runs got ~2× slower
 * than 1-thread runs on a busy 2-core machine with spinning on).
 */
export const SESSION_CONFIG = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };

export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism());
}

export class SessionManager {
  readonly registry: ModelRegistry;
  readonly threads: number;
  private readonly ep: EpSetting;
  private readonly requireEp: boolean;
  private readonly warmup: boolean;
  private readonly onWarning: (m: string) => void;
  private readonly sessions = new Map<string, Promise<ModelSession>>();
  private disposed = false;

  constructor(opts: SessionManagerOptions = {}) {
    this.registry = opts.registry ?? new ModelRegistry();
    this.ep = opts.ep ?? 'auto';
    this.requireEp = opts.requireEp ?? false;
    this.threads = opts.threads ?? defaultThreads();
    this.warmup = opts.warmup ?? true;
    this.onWarning = opts.onWarning ?? ((m) => process.emitWarning(m, 'VigilInference'));
    // Validate the setting now so a bad setting fails at construction, not at first use.
    planExecutionProviders(this.ep, this.requireEp);
  }

  /** The provider a new session would be tried on first. */
  preferredEp(): EpName {
    return planExecutionProviders(this.ep, this.requireEp).providers[0];
  }

  acquire(name: string): Promise<ModelSession> {
    if (this.disposed) return Promise.reject(new VigilError('conflict', 'The session manager has been disposed.'));
    let p = this.sessions.get(name);
    if (!p) {
      p = this.open(name);
      this.sessions.set(name, p);
      // A failed open must not be cached: the next call retries (e.g. after a rebuild).
      p.catch(() => this.sessions.delete(name));
    }
    return p;
  }

  private async open(name: string): Promise<ModelSession> {
    const { manifest, bytes } = this.registry.load(name);
    const plan = planExecutionProviders(this.ep, this.requireEp);
    for (const w of plan.warnings) this.onWarning(w);
    let lastError: unknown;
    for (const ep of plan.providers) {
      try {
        const session = await ort.InferenceSession.create(bytes, {
          executionProviders: [ep],
          intraOpNumThreads: this.threads,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
          logSeverityLevel: 3,
          extra: SESSION_CONFIG,
        });
        const ms: ModelSession = { name, manifest, ep, session };
        if (this.warmup) await warmUp(ms);
        return ms;
      } catch (e) {
        lastError = e;
        const msg = e instanceof Error ? e.message : String(e);
        if (ep === 'cpu') break;
        if (this.requireEp) {
          throw new VigilError('model_error', `Could not start model "${name}" on execution provider "${ep}": ${msg}`);
        }
        this.onWarning(`Model "${name}" could not start on "${ep}" (${msg.split('\n')[0]}); trying the next provider.`);
      }
    }
    const msg = lastError instanceof Error ? lastError.message : String(lastError);
    throw new VigilError('model_error', `Model "${name}" could not be opened by onnxruntime: ${msg}`);
  }

  /** Close one model's session (it reopens on the next acquire). */
  async release(name: string): Promise<void> {
    const p = this.sessions.get(name);
    if (!p) return;
    this.sessions.delete(name);
    const s = await p.catch(() => undefined);
    await s?.session.release();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const all = [...this.sessions.keys()];
    await Promise.all(all.map((n) => this.release(n)));
  }
}

async function warmUp(ms: ModelSession): Promise<void> {
  const spec = ms.manifest.input;
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const data = spec.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  await ms.session.run({ [spec.name]: new ort.Tensor(spec.dtype, data, spec.shape) });
}
