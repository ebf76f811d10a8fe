#!/usr/bin/env node
/**
 * `npm run models [-- --force] [-- name ...]`: converts the shipped TF.js models to ONNX under
 * resources/models (or VIGIL_MODELS_DIR). Skips models that are already up to date, so the build can
 * always call it.
 */
import { mkdirSync } from 'node:fs';
import { isVigilError } from '../errors.js';
import { MODELS_DIR_ENV, resolveModelsDir } from '../inference/model-root.js';
import { buildModels } from './build.js';
import { UnsupportedOpError } from './convert.js';

async function main(argv: string[]): Promise<number> {
  const force = argv.includes('--force');
  const names = argv.filter((a) => !a.startsWith('--'));
  if (process.env[MODELS_DIR_ENV]) mkdirSync(process.env[MODELS_DIR_ENV], { recursive: true });
  const outDir = resolveModelsDir();
  const t0 = Date.now();
  const results = await buildModels({
    outDir,
    force,
    models: names.length ? names : undefined,
    log: (l) => console.log(`models: ${l}`),
  });
  const built = results.filter((r) => r.status === 'built').length;
  console.log(`models: ${built} built, ${results.length - built} up to date in ${outDir} (${Date.now() - t0} ms)`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UnsupportedOpError) console.error(`models: conversion failed: ${err.message}`);
    else if (isVigilError(err)) console.error(`models: ${err.message}`);
    else console.error('models: build failed:', err instanceof Error ? err.stack ?? err.message : err);
    process.exit(1);
  },
);
