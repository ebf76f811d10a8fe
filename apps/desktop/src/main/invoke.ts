/**
 * The IPC transport's request handling, free of Electron imports so it is testable as a plain function:
 * refuse untrusted frames, let the engine validate against the contract, return errors without stacks.
 */
import { toErrorBody, VigilError, type Engine } from '@vigil/engine';
import { isTrustedSender } from './security.js';

export async function invokeForSender(engine: Pick<Engine, 'call'>, frameUrl: string | undefined, op: unknown, input: unknown) {
  try {
    if (!isTrustedSender(frameUrl)) throw new VigilError('forbidden', 'IPC from an untrusted frame was refused.');
    if (typeof op !== 'string') throw new VigilError('invalid_input', 'Operation name must be a string.');
    return { ok: true as const, value: await engine.call(op, input) };
  } catch (e) {
    return { ok: false as const, error: toErrorBody(e).body.error };
  }
}
