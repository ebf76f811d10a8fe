import type { ReactNode } from 'react';
import { ApiError } from '@vigil/engine/contract';
import { errorMessage } from '../lib/format';

/** An error in words, as the engine phrased it, with the field-level issues when there are any. */
export function ErrorBanner({ error, onDismiss, testId = 'error-banner', children }: { error: unknown; onDismiss?: () => void; testId?: string; children?: ReactNode }) {
  if (!error) return null;
  const issues = error instanceof ApiError ? error.issues : undefined;
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div className="error-banner" role="alert" data-testid={testId} data-code={code ?? undefined}>
      <div className="error-text">
        <span className="error-message">{typeof error === 'string' ? error : errorMessage(error)}</span>
        {issues && issues.length > 0 && (
          <ul className="error-issues">
            {issues.map((i, n) => (
              <li key={n}>
                {i.path ? <code>{i.path}</code> : null} {i.message}
              </li>
            ))}
          </ul>
        )}
        {children}
      </div>
      {onDismiss && (
        <button type="button" className="icon-button" aria-label="Dismiss" title="Dismiss" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}
