/**
 * Finds the ffmpeg / ffprobe executables. Every part of Vigil that runs them goes through
 * `resolveFfmpeg()` / `resolveFfprobe()` so there is exactly one answer per process.
 *
 * Resolution order (first hit wins; exported as `MEDIA_TOOL_RESOLUTION_ORDER`):
 *  1. env      `VIGIL_FFMPEG` / `VIGIL_FFPROBE`: explicit override. If set but unusable this is an error,
 *              never a silent fall-through, so a typo cannot quietly select a different binary.
 *  2. static   `ffmpeg-static` / `ffprobe-static`, only if installed AND the binary file exists
 *              (their install step downloads the binary, which can fail offline).
 *  3. installer binaries inside `@ffmpeg-installer/<platform>-<arch>` / `@ffprobe-installer/<platform>-<arch>`
 *              (the platform packages that `@ffmpeg-installer/ffmpeg` / `@ffprobe-installer/ffprobe` pull in).
 *  4. PATH     first executable named ffmpeg/ffprobe (ffmpeg.exe/ffprobe.exe on Windows) on PATH.
 *
 * Packages are resolved with createRequire from this module (the engine), so nothing here depends on them
 * being installed. Inside a packaged Electron app a binary shipped in node_modules lives under
 * `app.asar.unpacked/` (an executable cannot run from inside the asar archive), so `app.asar<sep>` in any
 * candidate path is rewritten to `app.asar.unpacked<sep>`.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { VigilError } from '../errors.js';

export type MediaTool = 'ffmpeg' | 'ffprobe';
export type ToolSource = 'env' | 'static' | 'installer' | 'path';

export interface ResolvedTool {
  /** Absolute path of the executable. */
  path: string;
  /** Which rule of the resolution order found it. */
  source: ToolSource;
}

export interface ResolutionStep {
  source: ToolSource;
  /** Human-readable description of what is looked at, per tool. */
  ffmpeg: string;
  ffprobe: string;
}

const platformPkg = `${process.platform}-${process.arch}`;
const exe = (name: string): string => (process.platform === 'win32' ? `${name}.exe` : name);

/** The resolution order as data (README and tests print it from here). */
export const MEDIA_TOOL_RESOLUTION_ORDER: readonly ResolutionStep[] = [
  { source: 'env', ffmpeg: 'environment variable VIGIL_FFMPEG', ffprobe: 'environment variable VIGIL_FFPROBE' },
  { source: 'static', ffmpeg: 'npm package ffmpeg-static', ffprobe: 'npm package ffprobe-static' },
  {
    source: 'installer',
    ffmpeg: `npm package @ffmpeg-installer/${platformPkg} (via @ffmpeg-installer/ffmpeg)`,
    ffprobe: `npm package @ffprobe-installer/${platformPkg} (via @ffprobe-installer/ffprobe)`,
  },
  { source: 'path', ffmpeg: `"${exe('ffmpeg')}" on PATH`, ffprobe: `"${exe('ffprobe')}" on PATH` },
];

const ENV_VAR: Record<MediaTool, string> = { ffmpeg: 'VIGIL_FFMPEG', ffprobe: 'VIGIL_FFPROBE' };

const requireFromEngine = createRequire(import.meta.url);

/** Electron: executables in node_modules are unpacked next to the asar archive. */
export function unpackedAsarPath(p: string): string {
  const marker = `app.asar${path.sep}`;
  return p.includes(marker) ? p.split(marker).join(`app.asar.unpacked${path.sep}`) : p;
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    if (process.platform !== 'win32') accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Returns why `p` is unusable, or null if it is an executable file. */
function whyUnusable(p: string): string | null {
  try {
    const st = statSync(p);
    if (!st.isFile()) return 'is not a regular file';
    if (process.platform !== 'win32') accessSync(p, constants.X_OK);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'does not exist';
    if (code === 'EACCES') return 'is not executable';
    return `cannot be accessed (${code ?? 'unknown error'})`;
  }
}

function tryResolve(req: NodeRequire, id: string): string | null {
  try {
    return req.resolve(id);
  } catch {
    return null;
  }
}

/** `ffmpeg-static` exports the path string; `ffprobe-static` exports `{ path }`. */
function fromStaticPackage(tool: MediaTool, tried: string[]): string | null {
  const pkg = tool === 'ffmpeg' ? 'ffmpeg-static' : 'ffprobe-static';
  if (!tryResolve(requireFromEngine, pkg)) {
    tried.push(`${pkg}: not installed`);
    return null;
  }
  let exported: unknown;
  try {
    exported = requireFromEngine(pkg);
  } catch (e) {
    tried.push(`${pkg}: failed to load (${(e as Error).message})`);
    return null;
  }
  const raw =
    typeof exported === 'string'
      ? exported
      : typeof (exported as { path?: unknown } | null)?.path === 'string'
        ? (exported as { path: string }).path
        : null;
  if (!raw) {
    tried.push(`${pkg}: exports no binary path`);
    return null;
  }
  const p = unpackedAsarPath(raw);
  if (!isExecutableFile(p)) {
    tried.push(`${pkg}: ${p} ${whyUnusable(p)}`);
    return null;
  }
  return p;
}

/** Binary inside `@ffmpeg-installer/<platform>` or `@ffprobe-installer/<platform>`. */
function fromInstallerPackage(tool: MediaTool, tried: string[]): string | null {
  const scope = tool === 'ffmpeg' ? '@ffmpeg-installer' : '@ffprobe-installer';
  const platformManifest = `${scope}/${platformPkg}/package.json`;
  // The platform package may be hoisted next to the engine or nested under the meta package.
  const requirers = [requireFromEngine];
  const meta = tryResolve(requireFromEngine, `${scope}/${tool}/package.json`);
  if (meta) requirers.push(createRequire(meta));
  for (const req of requirers) {
    const manifest = tryResolve(req, platformManifest);
    if (!manifest) continue;
    const p = unpackedAsarPath(path.join(path.dirname(manifest), exe(tool)));
    if (isExecutableFile(p)) return p;
    tried.push(`${scope}/${platformPkg}: ${p} ${whyUnusable(p)}`);
    return null;
  }
  tried.push(`${scope}/${platformPkg}: not installed`);
  return null;
}

function fromPath(tool: MediaTool, tried: string[]): string | null {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const p = path.join(dir, exe(tool));
    if (isExecutableFile(p)) return path.resolve(p);
  }
  tried.push(`PATH: no executable "${exe(tool)}" in ${dirs.length} director${dirs.length === 1 ? 'y' : 'ies'}`);
  return null;
}

function resolveUncached(tool: MediaTool): ResolvedTool {
  const tried: string[] = [];
  const envName = ENV_VAR[tool];
  const envValue = process.env[envName];
  if (envValue !== undefined && envValue !== '') {
    const p = unpackedAsarPath(path.resolve(envValue));
    const why = whyUnusable(p);
    if (why) {
      throw new VigilError(
        'not_found',
        `${envName} is set to "${envValue}", but that ${why}. Point it at a ${tool} executable or unset it.`,
        { tool, env: envName, value: envValue },
      );
    }
    return { path: p, source: 'env' };
  }
  tried.push(`${envName}: not set`);

  const finders: [ToolSource, (t: MediaTool, tried: string[]) => string | null][] = [
    ['static', fromStaticPackage],
    ['installer', fromInstallerPackage],
    ['path', fromPath],
  ];
  for (const [source, find] of finders) {
    const p = find(tool, tried);
    if (p) return { path: p, source };
  }
  throw new VigilError('not_found', `Cannot find ${tool}. Tried, in order: ${tried.join('; ')}.`, { tool, tried });
}

const cache = new Map<MediaTool, ResolvedTool>();

function resolveTool(tool: MediaTool): ResolvedTool {
  let hit = cache.get(tool);
  if (!hit) {
    hit = resolveUncached(tool);
    cache.set(tool, hit);
  }
  return hit;
}

/** Path of the ffmpeg executable (cached for the life of the process). */
export function resolveFfmpeg(): ResolvedTool {
  return resolveTool('ffmpeg');
}

/** Path of the ffprobe executable (cached for the life of the process). */
export function resolveFfprobe(): ResolvedTool {
  return resolveTool('ffprobe');
}

/** Forget cached answers (after changing VIGIL_FFMPEG/VIGIL_FFPROBE, e.g. in tests or settings). */
export function clearMediaToolCache(): void {
  cache.clear();
}
