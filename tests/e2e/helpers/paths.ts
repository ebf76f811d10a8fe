import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Named screenshots the specs save on purpose (failure screenshots go to test-results/). */
export const ARTIFACTS = path.join(REPO_ROOT, 'artifacts', 'e2e');
