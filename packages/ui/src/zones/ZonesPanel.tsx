/**
 * Named zones drawn on the picture (polygons in source pixels; drawn, renamed, redrawn and removed here)
 * and the case's own anomaly definitions ("bicycle", "person stationary > 60 s in Entrance"). Both feed
 * the engine's categories and answers.
 */
import { useRef, useState, type FormEvent } from 'react';
import type { Case, Evidence, Zone } from '@vigil/engine/contract';
import { ConfirmRemove } from '../components/ConfirmRemove';
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
  const update = useOpMutation('zones.update');
  const remove = useOpMutation('zones.remove');
  const replacing = zoneDraft?.replaces;

  /** Starts a polygon on the picture: a new zone, or a new outline for `replaces`. */
  const startDrawing = (replaces?: Zone) => {
    bus.pause();
    add.reset();
    update.reset();
    if (!overlay.zones) setOverlay({ zones: true });
    setZoneDraft({ points: [], closed: false, ...(replaces ? { replaces: { zoneId: replaces.id, name: replaces.name } } : {}) });
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!zoneDraft || zoneDraft.points.length < 3) return;
    add.mutate({ caseId, evidenceId: evidence.id, name: name.trim(), polygon: zoneDraft.points });
  };
  const saveOutline = () => {
    if (!zoneDraft?.replaces || zoneDraft.points.length < 3) return;
    update.mutate({ caseId, zoneId: zoneDraft.replaces.zoneId, polygon: zoneDraft.points }, { onSuccess: () => setZoneDraft(null) });
  };
  const error = add.error ?? update.error ?? remove.error;
  const dismiss = add.error ? add.reset : update.error ? update.reset : remove.error ? remove.reset : undefined;

  return (
    <section className="panel" data-testid="zones" aria-label="Zones">
      <header className="panel-head">
        <h2>Zones</h2>
        {zones.data && <span className="count">{zones.data.length}</span>}
        {!zoneDraft && (
          <button type="button" className="button small" data-testid="zone-draw" onClick={() => startDrawing()}>
            Draw zone
          </button>
        )}
      </header>
      {zoneDraft && !zoneDraft.closed && (
        <div className="zone-drafting notice" data-testid="zone-drafting">
          {replacing ? `Click on the picture to place the new corners of ${replacing.name}` : 'Click on the picture to place the corners'} ({zoneDraft.points.length} so far). Close with{' '}
          <kbd>Enter</kbd> or by clicking the first corner.
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
      {zoneDraft?.closed && !replacing && (
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
      {zoneDraft?.closed && replacing && (
        <div className="stack-form" data-testid="zone-outline-form">
          <div className="field-label">
            New outline for {replacing.name} ({zoneDraft.points.length} corners)
          </div>
          <div className="row end">
            <button type="button" className="button small ghost" onClick={() => setZoneDraft(null)}>
              Discard
            </button>
            <button type="button" className="button small primary" data-testid="zone-outline-save" autoFocus disabled={update.isPending} onClick={saveOutline}>
              Replace outline
            </button>
          </div>
        </div>
      )}
      <ErrorBanner error={error ?? zones.error} onDismiss={dismiss} testId="zone-error" />
      <ul className="zone-list">
        {zones.data?.map((z) => (
          <ZoneRow
            key={z.id}
            zone={z}
            busy={zoneDraft !== null}
            removing={remove.isPending && remove.variables?.zoneId === z.id}
            renaming={update.isPending && update.variables?.zoneId === z.id}
            onRename={(newName, done) => update.mutate({ caseId, zoneId: z.id, name: newName }, { onSuccess: done })}
            onRedraw={() => startDrawing(z)}
            onRemove={() => remove.mutate({ caseId, zoneId: z.id })}
          />
        ))}
        {zones.data?.length === 0 && !zoneDraft && <li className="empty">No zones on this clip. Zones name places for definitions and answers ("loitering in Entrance").</li>}
      </ul>
    </section>
  );
}

/** One zone: its name (renamed in place: Enter saves, Escape cancels), redraw and remove. */
function ZoneRow({ zone: z, busy, removing, renaming, onRename, onRedraw, onRemove }: {
  zone: Zone;
  /** A polygon is being drawn: no second one. */
  busy: boolean;
  removing: boolean;
  renaming: boolean;
  onRename: (name: string, done: () => void) => void;
  onRedraw: () => void;
  onRemove: () => void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const renameButton = useRef<HTMLButtonElement | null>(null);
  const stopEditing = () => {
    setEditing(null);
    // Back to where the keyboard was: the Rename button (rendered again on the next frame).
    requestAnimationFrame(() => renameButton.current?.focus());
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = (editing ?? '').trim();
    if (!next || next === z.name) return stopEditing();
    onRename(next, stopEditing);
  };

  if (editing !== null) {
    return (
      <li data-testid="zone-item" data-zone-id={z.id}>
        <form
          className="zone-rename row"
          onSubmit={submit}
          onKeyDown={(e) => {
            if (e.key !== 'Escape') return;
            e.preventDefault();
            e.stopPropagation();
            stopEditing();
          }}
        >
          <input data-testid="zone-rename-input" aria-label={`New name for zone ${z.name}`} autoFocus maxLength={80} value={editing} onChange={(e) => setEditing(e.target.value)} />
          <button type="submit" className="button small primary" data-testid="zone-rename-save" disabled={renaming || editing.trim() === ''}>
            Save
          </button>
          <button type="button" className="button small ghost" onClick={stopEditing}>
            Cancel
          </button>
        </form>
      </li>
    );
  }
  return (
    <li data-testid="zone-item" data-zone-id={z.id}>
      <span className="zone-swatch" aria-hidden="true" />
      <span className="zone-name">{z.name}</span>
      <span className="dim mono">{z.polygon.length} pts</span>
      <button type="button" ref={renameButton} className="button small ghost" data-testid="zone-rename" aria-label={`Rename zone ${z.name}`} onClick={() => setEditing(z.name)}>
        Rename
      </button>
      <button type="button" className="button small ghost" data-testid="zone-redraw" aria-label={`Redraw zone ${z.name}`} disabled={busy} onClick={onRedraw}>
        Redraw
      </button>
      <ConfirmRemove what={`zone ${z.name}`} question="Remove zone?" pending={removing} onConfirm={onRemove} testId="zone-remove" />
    </li>
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
