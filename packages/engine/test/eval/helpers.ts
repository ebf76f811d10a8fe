import { expect } from 'vitest';
import { VigilError, type ErrorCode } from '../../src/errors.js';

/** Deterministic pseudo-random numbers in [0,1) (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Asserts that fn throws a VigilError with this code and a message matching pattern. */
export function expectVigil(fn: () => unknown, code: ErrorCode, pattern: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a VigilError to be thrown').toBeInstanceOf(VigilError);
  expect((thrown as VigilError).code).toBe(code);
  expect((thrown as Error).message).toMatch(pattern);
}

/** Async variant of expectVigil. */
export async function expectVigilAsync(fn: () => Promise<unknown>, code: ErrorCode, pattern: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected a VigilError to be thrown').toBeInstanceOf(VigilError);
  expect((thrown as VigilError).code).toBe(code);
  expect((thrown as Error).message).toMatch(pattern);
}
