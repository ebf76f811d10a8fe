/**
 * The packaging configuration (electron-builder.yml) against Vigil's rules, without building: it must be
 * valid for the installed electron-builder (its JSON schema), keep every native module and media tool
 * out of app.asar (checked against the files actually installed), ship the models where the engine
 * looks for them, target AppImage + deb / NSIS / DMG, and set the security fuses.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseYamlSubset, YamlSubsetError, type Yaml } from './yaml-subset.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const config = parseYamlSubset(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as { [k: string]: any };

/** electron-builder glob (minimatch subset: `**`, `*`, `?`) as a regex over '/'-separated paths. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const unpacked = (path: string) => (config.asarUnpack as string[]).some((g) => globToRegExp(g).test(path));

/** Minimal JSON-schema check (properties, additionalProperties: false, $ref, anyOf, types, items). */
function schemaProblems(value: unknown, schema: any, defs: Record<string, any>, path: string): string[] {
  if (schema === true || schema === undefined) return [];
  if (schema.$ref) return schemaProblems(value, defs[schema.$ref.replace('#/definitions/', '')], defs, path);
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts) {
    const results = alts.map((s: unknown) => schemaProblems(value, s, defs, path));
    return results.some((r: string[]) => r.length === 0) ? [] : results.sort((a: string[], b: string[]) => a.length - b.length)[0];
  }
  const types: string[] = schema.type ? [].concat(schema.type) : [];
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value;
  if (types.length && !types.includes(kind) && !(kind === 'integer' && types.includes('number'))) return [`${path}: expected ${types.join('|')}, got ${kind}`];
  if (kind === 'object' && schema.properties) {
    const out: string[] = [];
    for (const [k, v] of Object.entries(value as object)) {
      if (schema.properties[k]) out.push(...schemaProblems(v, schema.properties[k], defs, `${path}.${k}`));
      else if (schema.additionalProperties === false) out.push(`${path}.${k}: not an electron-builder option`);
    }
    return out;
  }
  if (kind === 'array' && schema.items) return (value as unknown[]).flatMap((v, i) => schemaProblems(v, schema.items, defs, `${path}[${i}]`));
  if (schema.enum && !schema.enum.includes(value)) return [`${path}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`];
  return [];
}

/** Installed files of a package that must run outside the archive: native addons, shared libraries, executables. */
function nativeFiles(pkgDir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && (/\.(node|so(\.\d+)*|dylib|dll|exe)$/.test(e.name) || (!e.name.includes('.') && statSync(p).mode & 0o111))) out.push(p);
    }
  };
  walk(pkgDir);
  return out;
}

describe('packaging configuration (electron-builder.yml)', () => {
  it('is read by the YAML subset reader, which refuses what it does not understand', () => {
    expect(config.appId).toBeTypeOf('string');
    expect(parseYamlSubset('a:\n  - x: 1\n    y: [b, "c d"]\n  - z\nq: true # note\n')).toEqual({ a: [{ x: 1, y: ['b', 'c d'] }, 'z'], q: true });
    for (const bad of ['a: &anchor 1', 'a: |\n  text', 'a: {b: 1}', 'a: [b, [c]]', 'a: 1\na: 2', 'a:\n\t- x']) expect(() => parseYamlSubset(bad), bad).toThrow(YamlSubsetError);
  });

  it('uses only options the installed electron-builder knows, with the right types', () => {
    const require = createRequire(join(ROOT, 'package.json'));
    const scheme = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
    expect(schemaProblems(config, scheme, scheme.definitions, 'config')).toEqual([]);
    // The checker itself catches a misspelt fuse and a wrong type.
    expect(schemaProblems({ ...config, electronFuses: { ...config.electronFuses, runAsNod: false } }, scheme, scheme.definitions, 'config')).toEqual(['config.electronFuses.runAsNod: not an electron-builder option']);
    expect(schemaProblems({ ...config, npmRebuild: 'yes' }, scheme, scheme.definitions, 'config').length).toBeGreaterThan(0);
  });

  it('names the application', () => {
    expect(config.appId).toMatch(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+){2,}$/);
    expect(config.productName).toBe('Vigil');
    const desktop = JSON.parse(readFileSync(join(ROOT, config.directories.app, 'package.json'), 'utf8'));
    // The app's entry point is inside what the `files` globs ship.
    const files = config.files as string[];
    const shipped = (p: string) => files.filter((g) => !g.startsWith('!')).some((g) => globToRegExp(g).test(p)) && !files.filter((g) => g.startsWith('!')).some((g) => globToRegExp(g.slice(1)).test(p));
    expect(shipped(desktop.main), desktop.main).toBe(true);
    expect(shipped('package.json')).toBe(true);
    expect(shipped('dist/main/main.js.map')).toBe(false);
  });

  it('keeps every installed native module, shared library and media tool out of app.asar', () => {
    const require = createRequire(join(ROOT, 'packages/engine/package.json'));
    const packages = ['better-sqlite3', 'onnxruntime-node', '@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe'];
    const platformTools = ['@ffmpeg-installer', '@ffprobe-installer'].flatMap((scope) => {
      const dir = join(ROOT, 'node_modules', scope);
      return readdirSync(dir).map((name) => join(dir, name));
    });
    const dirs = [...packages.map((p) => dirname(require.resolve(`${p}/package.json`))), ...platformTools];
    const natives = [...new Set(dirs.flatMap(nativeFiles))].map((f) => `node_modules/${relative(join(ROOT, 'node_modules'), f).split(sep).join('/')}`);
    expect(natives.some((f) => f.endsWith('.node'))).toBe(true);
    expect(natives.some((f) => /@ffmpeg-installer\/[^/]+\/ffmpeg$/.test(f))).toBe(true);
    expect(natives.some((f) => /@ffprobe-installer\/[^/]+\/ffprobe$/.test(f))).toBe(true);
    expect(natives.filter((f) => !unpacked(f))).toEqual([]);
    console.log(`packaging: ${natives.length} installed native files checked against asarUnpack`);
    // Rules by name, for platforms whose binaries are not installed here.
    for (const p of ['x/y.node', 'node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll', 'node_modules/@ffmpeg-installer/win32-x64/ffmpeg.exe', 'node_modules/@ffprobe-installer/darwin-arm64/ffprobe']) {
      expect(unpacked(p), p).toBe(true);
    }
    // And nothing else is unpacked wholesale (the app's own code stays in the archive).
    expect(unpacked('node_modules/@vigil/ui/dist/index.js')).toBe(false);
    expect(unpacked('dist/main/main.js')).toBe(false);
  });

  it('ships the models as extra resources where the engine looks for them', () => {
    const models = (config.extraResources as { from: string; to: string; filter?: string[] }[]).find((r) => r.from === 'resources/models');
    expect(models, 'resources/models in extraResources').toBeDefined();
    expect(existsSync(join(ROOT, 'resources/models'))).toBe(true);
    // The engine finds models through VIGIL_MODELS_DIR, or by walking up from its own files to a
    // `resources/models` folder: in a package that is <resources>/<to>, so `to` must be resources/models
    // unless the main process points VIGIL_MODELS_DIR at it.
    const main = readFileSync(join(ROOT, 'apps/desktop/src/main/main.ts'), 'utf8');
    const setsEnv = /VIGIL_MODELS_DIR|MODELS_DIR_ENV/.test(main) && /resourcesPath/.test(main);
    const resolver = readFileSync(join(ROOT, 'packages/engine/src/inference/model-root.ts'), 'utf8');
    expect(resolver).toMatch(/path\.join\(dir, 'resources', 'models'\)/);
    expect(setsEnv || models!.to === 'resources/models', `extraResources to=${models!.to}`).toBe(true);
  });

  it('builds AppImage and deb on Linux, NSIS on Windows, DMG on macOS', () => {
    const targets = (os: string) => ([] as Yaml[]).concat(config[os].target).map((t) => (typeof t === 'string' ? t : (t as { target: string }).target));
    expect(targets('linux')).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(targets('win')).toEqual(expect.arrayContaining(['nsis']));
    expect(targets('mac')).toEqual(expect.arrayContaining(['dmg']));
  });

  it('sets the security fuses, and the app does not rely on what they switch off', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true,
    });
    // runAsNode off breaks child_process.fork in Electron: job workers must be utility processes.
    const main = readFileSync(join(ROOT, 'apps/desktop/src/main/main.ts'), 'utf8');
    expect(main).toMatch(/new Engine\(\{[^}]*spawn: utilitySpawner/);
    const desktopSources = readdirSync(join(ROOT, 'apps/desktop/src/main')).map((f) => readFileSync(join(ROOT, 'apps/desktop/src/main', f), 'utf8'));
    expect(desktopSources.filter((s) => /from 'node:child_process'|require\('child_process'\)/.test(s))).toEqual([]);
    // The renderer is not served from file:// (the fuse that grants it extra privileges is off).
    expect(main).not.toMatch(/loadFile\(|file:\/\//);
  });
});
