import type { ReactNode } from 'react';
import type { Evidence } from '@vigil/engine/contract';
import { formatBytes, formatDateTime, formatDuration, formatFps } from '../lib/format';
import { describeAudio, probeDisplay } from '../lib/probe-fields';
import { formatTimecode } from '../player/frame-math';
import { CopyButton } from './CopyButton';

const PLAYBACK_TEXT: Record<Evidence['playback'], string> = {
  original: 'Original file plays directly',
  ready: 'Playback proxy (original kept unchanged)',
  pending: 'Playback proxy being prepared',
  failed: 'No playable rendition',
};

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

export function EvidenceDetails({ evidence }: { evidence: Evidence | null }) {
  if (!evidence) {
    return (
      <section className="panel" aria-labelledby="details-title">
        <header className="panel-head">
          <h2 id="details-title">Evidence details</h2>
        </header>
        <p className="empty">Select an evidence item.</p>
      </section>
    );
  }
  const p = probeDisplay(evidence.probe);
  return (
    <section className="panel" aria-labelledby="details-title" data-testid="evidence-details" data-evidence-id={evidence.id}>
      <header className="panel-head">
        <h2 id="details-title">Evidence details</h2>
      </header>
      <div className="hash-block">
        <div className="hash-head">
          <span className="field-label">SHA-256</span>
          <CopyButton text={evidence.sha256} testId="copy-sha256" />
        </div>
        <code className="hash" data-testid="evidence-sha256">
          {evidence.sha256}
        </code>
      </div>
      <dl className="details">
        <Row label="File" testId="evidence-filename">
          <span className="break">{evidence.fileName}</span>
        </Row>
        <Row label="Size" testId="evidence-size">
          {formatBytes(evidence.sizeBytes)} <span className="dim">({evidence.sizeBytes.toLocaleString('en-US')} bytes)</span>
        </Row>
        <Row label="Container / codec" testId="evidence-format">
          {evidence.container} / {evidence.codec}
          {p.pixelFormat ? <span className="dim"> · {p.pixelFormat}</span> : null}
        </Row>
        <Row label="Resolution" testId="evidence-resolution">
          {evidence.width} × {evidence.height}
        </Row>
        <Row label="Frame rate" testId="evidence-fps">
          {formatFps(evidence.fps)} fps
        </Row>
        <Row label="Frames" testId="evidence-frames">
          {evidence.frameCount.toLocaleString('en-US')}
        </Row>
        <Row label="Duration" testId="evidence-duration">
          {formatTimecode(evidence.durationS)} <span className="dim">({formatDuration(evidence.durationS)})</span>
        </Row>
        <Row label="Start time">{p.startTimeS !== null ? `${p.startTimeS.toFixed(3)} s` : '—'}</Row>
        <Row label="Rotation">{p.rotationDeg !== null ? `${p.rotationDeg}°` : '—'}</Row>
        <Row label="Audio">{describeAudio(p.audio)}</Row>
        {p.bitRate !== null && <Row label="Bit rate">{(p.bitRate / 1000).toFixed(0)} kbit/s</Row>}
        <Row label="Created (metadata)">{p.creationTime ? formatDateTime(p.creationTime) : '—'}</Row>
        <Row label="Imported">{formatDateTime(evidence.importedAt)}</Row>
        <Row label="Playback" testId="evidence-playback">
          <span className={`badge playback-${evidence.playback}`}>{evidence.playback}</span> {PLAYBACK_TEXT[evidence.playback]}
        </Row>
        <Row label="Evidence id">
          <code className="mono small">{evidence.id}</code>
        </Row>
      </dl>
    </section>
  );
}
