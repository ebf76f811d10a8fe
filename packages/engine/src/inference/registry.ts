/**
 * The model registry: which models exist under the models folder, whether each is intact, and the
 * verified bytes to open a session from. A model is "built" only when its manifest parses and its ONNX
 * file has the size and SHA-256 the manifest records; anything else is "missing" or "corrupt" with a
 * message naming the file and the command that rebuilds it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { VigilError } from '../errors.js';
import { MODEL_CATALOG } from '../models-build/catalog.js';
import type { ModelManifest } from './manifest.js';
import { manifestSchema } from './manifest.js';
import { resolveModelsDir } from './model-root.js';

export type ModelStatus = 'built' | 'missing' | 'corrupt';

export interface ModelEntry {
  name: string;
  status: ModelStatus;
  dir: string;
  manifest?: ModelManifest;
  /** Why the model is not usable (missing/corrupt). */
  problem?: string;
}

export interface LoadedModel {
  manifest: ModelManifest;
  onnxPath: string;
  bytes: Uint8Array;
}

export function rebuildHint(name: string): string {
  return `Rebuild it with \`npm run models -- --force ${name}\`.`;
}

export class ModelRegistry {
  readonly root: string;

  constructor(root?: string) {
    this.root = root ?? resolveModelsDir();
  }

  /** Names the registry knows: the build catalog plus any folder holding a manifest. */
  names(): string[] {
    const names = new Set(MODEL_CATALOG.map((d) => d.name));
    if (existsSync(this.root)) {
      for (const e of readdirSync(this.root, { withFileTypes: true })) {
        if (e.isDirectory() && existsSync(path.join(this.root, e.name, 'manifest.json'))) names.add(e.name);
      }
    }
    return [...names].sort();
  }

  list(): ModelEntry[] {
    return this.names().map((n) => this.inspect(n));
  }

  /** Readable manifests of the models converted from `name`'s weights for other input sizes. */
  variantsOf(name: string): ModelManifest[] {
    const out: ModelManifest[] = [];
    for (const n of this.names()) {
      try {
        const m = this.readManifest(n);
        if (m.variantOf === name) out.push(m);
      } catch {
        // Missing or corrupt: the base model serves every frame.
      }
    }
    return out;
  }

  /** Status of one model, verifying the ONNX file's hash. Never throws for a bad model. */
  inspect(name: string): ModelEntry {
    try {
      const m = this.load(name);
      return { name, status: 'built', dir: this.dirOf(name), manifest: m.manifest };
    } catch (e) {
      const problem = e instanceof Error ? e.message : String(e);
      const status: ModelStatus = e instanceof VigilError && e.details?.status === 'missing' ? 'missing' : 'corrupt';
      let manifest: ModelManifest | undefined;
      try {
        manifest = this.readManifest(name);
      } catch {
        manifest = undefined;
      }
      return { name, status, dir: this.dirOf(name), manifest, problem };
    }
  }

  dirOf(name: string): string {
    if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new VigilError('invalid_input', `"${name}" is not a valid model name.`);
    return path.join(this.root, name);
  }

  readManifest(name: string): ModelManifest {
    const file = path.join(this.dirOf(name), 'manifest.json');
    if (!existsSync(file)) {
      const known = MODEL_CATALOG.some((d) => d.name === name);
      throw new VigilError(
        known ? 'model_error' : 'not_found',
        known
          ? `Model "${name}" is not built: ${file} does not exist. Build it with \`npm run models\`.`
          : `Unknown model "${name}" (known: ${this.names().join(', ')}).`,
        { status: 'missing', file },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new VigilError('model_error', `Model "${name}" is corrupt: ${file} is not valid JSON (${(e as Error).message}). ${rebuildHint(name)}`, {
        status: 'corrupt',
        file,
      });
    }
    const parsed = manifestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new VigilError(
        'model_error',
        `Model "${name}" is corrupt: ${file} does not describe a model (${issue?.path.join('.') || 'root'}: ${issue?.message}). ${rebuildHint(name)}`,
        { status: 'corrupt', file },
      );
    }
    if (parsed.data.name !== name) {
      throw new VigilError('model_error', `Model "${name}" is corrupt: ${file} names model "${parsed.data.name}". ${rebuildHint(name)}`, {
        status: 'corrupt',
        file,
      });
    }
    return parsed.data;
  }

  /** Manifest + ONNX bytes, checked against the manifest's size and SHA-256. */
  load(name: string): LoadedModel {
    const manifest = this.readManifest(name);
    const onnxPath = path.join(this.dirOf(name), manifest.onnx.file);
    if (!existsSync(onnxPath)) {
      throw new VigilError('model_error', `Model "${name}" is not built: ${onnxPath} does not exist. ${rebuildHint(name)}`, {
        status: 'missing',
        file: onnxPath,
      });
    }
    const st = statSync(onnxPath);
    if (st.size !== manifest.onnx.bytes) {
      throw new VigilError(
        'model_error',
        `Model "${name}" is corrupt: ${onnxPath} has ${st.size} bytes, its manifest says ${manifest.onnx.bytes} (truncated or replaced). ${rebuildHint(name)}`,
        { status: 'corrupt', file: onnxPath },
      );
    }
    const bytes = new Uint8Array(readFileSync(onnxPath));
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== manifest.onnx.sha256) {
      throw new VigilError(
        'model_error',
        `Model "${name}" is corrupt: ${onnxPath} has SHA-256 ${sha}, its manifest says ${manifest.onnx.sha256}. ${rebuildHint(name)}`,
        { status: 'corrupt', file: onnxPath },
      );
    }
    return { manifest, onnxPath, bytes };
  }
}
