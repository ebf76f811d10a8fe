/**
 * One error type for everything the engine refuses. `code` is stable and machine-readable (the API and
 * CLI map it to statuses and exit codes); `message` names the problem in words an investigator can act on.
 */
export type ErrorCode =
  | 'invalid_input' // malformed request, bad argument
  | 'not_found' // unknown id or missing file
  | 'conflict' // duplicate, wrong state
  | 'unsupported_media' // not a video, unknown codec, truncated, ...
  | 'model_error' // missing/corrupt model, EP not available
  | 'cancelled'
  | 'forbidden'
  | 'internal';

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'VigilError';
    this.code = code;
    this.details = details;
  }
}

export function isVigilError(e: unknown): e is VigilError {
  return e instanceof VigilError;
}

/** Thrown by long-running work when its AbortSignal fires. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new VigilError('cancelled', 'The operation was cancelled.');
}

/** Progress callback shared by every long job: fraction in [0,1], optional stage name. */
export type ProgressFn = (fraction: number, stage?: string) => void;
