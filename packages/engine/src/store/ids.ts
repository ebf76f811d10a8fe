import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Opaque random id with a type prefix (e.g. `case_k3j…`): unguessable across cases, never a path. */
export function newId(prefix: string, chars = 16): string {
  const bytes = randomBytes(chars);
  let out = '';
  for (let i = 0; i < chars; i++) out += ALPHABET[bytes[i] & 31];
  return `${prefix}_${out}`;
}

export const nowIso = (): string => new Date().toISOString();
