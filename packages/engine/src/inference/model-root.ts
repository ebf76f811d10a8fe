/**
 * Where built models live: `VIGIL_MODELS_DIR` when set, else the repository's `resources/models`,
 * found by walking up from this module (works from src/ under vitest and from dist/ after tsc).
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VigilError } from '../errors.js';

export const MODELS_DIR_ENV = 'VIGIL_MODELS_DIR';

export function resolveModelsDir(): string {
  const env = process.env[MODELS_DIR_ENV];
  if (env) return path.resolve(env);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'resources', 'models');
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new VigilError(
    'model_error',
    `No models folder found: set ${MODELS_DIR_ENV} or run from a Vigil checkout that has resources/models.`,
  );
}
