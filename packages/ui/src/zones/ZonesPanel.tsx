/**
 * Named zones drawn on the picture (polygons in source pixels) and the case's own anomaly definitions
 * ("bicycle", "person stationary > 60 s in Entrance"). Both feed the engine's categories and answers.
 */
import { useState, type FormEvent } from 'react';
import type { Case, Evidence } from '@vigil/engine/contract';
import { ErrorBanner } from '../components/ErrorBanner';
import { useOp, useOpMutation } from '../hooks/use-op';
import { useReview } from '../review/review-context';

export function ZonesPanel({ caseItem, evidence }: { caseItem: Case | null; evidence: Evidence | null }) {
  if (!caseItem) {
    return (
      <section className="panel grow" data-testid="zones">
        <p className="empty">Open a case to draw zones and define anomalies.</p>
      </section>
    );
  }
  return (
    <div className="zones-tab">
      {evidence ? <ZoneList caseId={caseItem.id} evidence={evidence} /> : <p className="empty">Select an evidence item to draw zones on it.</p>}
      <Definitions caseId={caseItem.id} />
    </div>
  );
}

function ZoneList({ caseId, evidence }: { caseId: string; evidence: Evidence }) {
  const { zoneDraft, setZoneDraft, overlay, setOverlay, bus } = useReview();
  const zones = useOp('zones.list', { caseId, evidenceId: evidence.id });
  const [name, setName] = useState('');
  const add = useOpMutation('zones.add', {
    onSuccess: () => {
      setZoneDraft(null);
      setName('');
    },
  });
  const remove = useOpMutation('zones.remove');

  const startDrawing = () => {
    bus.pause();
    add.reset();
    if (!overlay.zones) setOverlay({ zones: true });
    setZoneDraft({ points: [], closed: false });
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!zoneDraft || zoneDraft.points.length < 3) return;
    add.mutate({ caseId, evidenceId: evidence.id, name: name.trim(), polygon: zoneDraft.points });
  };

  return (
    <section className="panel" data-testid="zones" aria-label="Zones">
      <header className="panel-head">
        <h2>Zones</h2>
        {zones.data && <span className="count">{zones.data.length}</span>}
        {!zoneDraft && (
          <button type="button" className="button small" data-testid="zone-draw" onClick={startDrawing}>
            Draw zone
          </button>
        )}
      </header>
      {zoneDraft && !zoneDraft.closed && (
        <div className="zone-drafting notice" data-testid="zone-drafting">
          Click on the picture to place the corners ({zoneDraft.points.length} so far). Close with <kbd>Enter</kbd> or by clicking the first corner.
          <div className="row end">
            <button type="button" className="button small ghost" onClick={() => setZoneDraft(null)}>
              Cancel
            </button>
            <button type="button" className="button small" disabled={zoneDraft.points.length < 3} onClick={() => setZoneDraft({ ...zoneDraft, closed: true })}>
              Close polygon
            </button>
          </div>
        </div>
      )}
      {zoneDraft?.closed && (
        <form className="stack-form" onSubmit={save} data-testid="zone-name-form">
          <label className="field-label" htmlFor="zone-name">
            Name this zone ({zoneDraft.points.length} corners)
          </label>
          <div className="row">
            <input id="zone-name" data-testid="zone-name" autoFocus placeholder="e.g. Entrance, Crossing, Car park" maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
            <button type="submit" className="button primary" data-testid="zone-save" disabled={add.isPending || name.trim() === ''}>
              Save
            </button>
          </div>
          <button type="button" className="button small ghost" onClick={() => setZoneDraft(null)}>
            Discard
          </button>
        </form>
      )}
      <ErrorBanner error={add.error ?? zones.error ?? remove.error} onDismiss={add.error ? add.reset : remove.error ? remove.reset : undefined} />
      <ul className="zone-list">
        {zones.data?.map((z) => (
          <li key={z.id} data-testid="zone-item" data-zone-id={z.id}>
            <span className="zone-swatch" aria-hidden="true" />
            <span className="zone-name">{z.name}</span>
            <span className="dim mono">{z.polygon.length} pts</span>
            <button type="button" className="button small ghost danger" aria-label={`Remove zone ${z.name}`} onClick={() => remove.mutate({ caseId, zoneId: z.id })}>
              Remove
            </button>
          </li>
        ))}
        {zones.data?.length === 0 && !zoneDraft && <li className="empty">No zones on this clip. Zones name places for definitions and answers ("loitering in Entrance").</li>}
      </ul>
    </section>
  );
}

function Definitions({ caseId }: { caseId: string }) {
  const defs = useOp('definitions.list', { caseId });
  const [text, setText] = useState('');
  const add = useOpMutation('definitions.add', { onSuccess: () => setText('') });
  const remove = useOpMutation('definitions.remove');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) add.mutate({ caseId, text: text.trim() });
  };
  return (
    <section className="panel grow" data-testid="definitions" aria-label="Anomaly definitions">
      <header className="panel-head">
        <h2>Anomaly definitions</h2>
        {defs.data && <span className="count">{defs.data.length}</span>}
      </header>
      <form className="stack-form" onSubmit={submit}>
        <div className="row">
          <input data-testid="definition-input" placeholder='e.g. "bicycle", "person stationary > 60 s"' maxLength={500} value={text} onChange={(e) => setText(e.target.value)} />
          <button type="submit" className="button" data-testid="definition-add" disabled={add.isPending || text.trim() === ''}>
            Add
          </button>
        </div>
        <div className="dim small-text">Applies to the next analysis and to answers. Definitions the models cannot see are refused with the reason.</div>
      </form>
      <ErrorBanner error={add.error ?? defs.error ?? remove.error} onDismiss={add.error ? add.reset : remove.error ? remove.reset : undefined} testId="definition-error" />
      <ul className="definition-list">
        {defs.data?.map((d) => (
          <li key={d.id} data-testid="definition-item">
            <span className="definition-body">
              <span className="definition-text">{d.text}</span>
              <code className="definition-rule" title={JSON.stringify(d.rule, null, 1)}>
                {summariseRule(d.rule)}
              </code>
            </span>
            <button type="button" className="button small ghost danger" onClick={() => remove.mutate({ caseId, definitionId: d.id })}>
              Remove
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A one-line reading of the engine's parsed rule (an open-ended value). */
function summariseRule(rule: unknown): string {
  if (rule === null || rule === undefined) return '';
  if (typeof rule !== 'object') return String(rule).slice(0, 120);
  return Object.entries(rule as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ')
    .slice(0, 120);
}
