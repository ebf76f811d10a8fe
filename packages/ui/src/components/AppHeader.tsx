import { useOp } from '../hooks/use-op';
import { ErrorBanner } from './ErrorBanner';

export function AppHeader({ caseName, onExport, onStatus, onHelp }: { caseName: string | null; onExport: (() => void) | null; onStatus: () => void; onHelp: () => void }) {
  const info = useOp('app.info', {});
  return (
    <>
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Vigil</span>
          <span className="brand-sub">footage review</span>
        </div>
        <div className="header-case" data-testid="header-case">
          {caseName ? (
            <>
              <span className="dim">Case</span> <strong>{caseName}</strong>
            </>
          ) : (
            <span className="dim">No case open</span>
          )}
        </div>
        <div className="header-info" data-testid="app-info" title={info.data ? `Database: ${info.data.dbPath}` : undefined}>
          {info.data && (
            <>
              <span className="pill">{info.data.transport === 'ipc' ? 'Desktop' : 'Local web'}</span>
              <span className="dim">engine {info.data.version}</span>
              <span className={`pill ${info.data.ffmpeg ? 'ok' : 'bad'}`}>{info.data.ffmpeg ? `ffmpeg: ${info.data.ffmpeg.source}` : 'ffmpeg missing'}</span>
            </>
          )}
        </div>
        <div className="header-actions">
          <button type="button" className="button small" data-testid="report-open-dialog" onClick={onExport ?? undefined} disabled={!onExport} title={onExport ? 'Export the case as a PDF report' : 'Open a case first'}>
            Export report
          </button>
          <button type="button" className="button small" data-testid="status-open" onClick={onStatus} title="Models, execution provider, database, versions">
            Status
          </button>
          <button type="button" className="button small icon-text" data-testid="help-open" onClick={onHelp} title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">
            ?
          </button>
        </div>
      </header>
      {info.error && (
        <ErrorBanner error={info.error} testId="connection-error">
          <div className="dim">Cannot reach the Vigil engine. In a browser, open the exact address printed by <code>vigil serve</code> (it carries the access token).</div>
        </ErrorBanner>
      )}
    </>
  );
}
