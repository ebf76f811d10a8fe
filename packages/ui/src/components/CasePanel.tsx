import { useState, type FormEvent } from 'react';
import type { Case } from '@vigil/engine/contract';
import { useOp, useOpMutation } from '../hooks/use-op';
import { formatDateTime } from '../lib/format';
import { ErrorBanner } from './ErrorBanner';

function CreateCaseForm({ onCreated }: { onCreated: (c: Case) => void }) {
  const [name, setName] = useState('');
  const [examiner, setExaminer] = useState('');
  const create = useOpMutation('cases.create', {
    onSuccess: (c) => {
      // The examiner stays filled in: one examiner usually opens several cases in a row.
      setName('');
      onCreated(c);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name, ...(examiner.trim() ? { examiner: examiner.trim() } : {}) });
  };
  return (
    <form className="stack-form" data-testid="case-create" onSubmit={submit}>
      <input
        data-testid="case-create-name"
        aria-label="New case name"
        placeholder="New case name"
        value={name}
        maxLength={200}
        onChange={(e) => setName(e.target.value)}
      />
      <div className="row">
        <input
          data-testid="case-create-examiner"
          aria-label="Examiner"
          placeholder="Examiner (optional)"
          value={examiner}
          maxLength={200}
          onChange={(e) => setExaminer(e.target.value)}
        />
        <button type="submit" className="button primary" data-testid="case-create-submit" disabled={create.isPending || name.trim() === ''}>
          {create.isPending ? 'Creating…' : 'Create case'}
        </button>
      </div>
      <ErrorBanner error={create.error} onDismiss={create.reset} />
    </form>
  );
}

export function CasePanel({ selectedCaseId, onSelect }: { selectedCaseId: string | null; onSelect: (caseId: string | null) => void }) {
  const cases = useOp('cases.list', {});
  return (
    <section className="panel" aria-labelledby="cases-title">
      <header className="panel-head">
        <h2 id="cases-title">Cases</h2>
        {cases.data && <span className="count">{cases.data.length}</span>}
      </header>
      <CreateCaseForm onCreated={(c) => onSelect(c.id)} />
      <ErrorBanner error={cases.error} />
      <ul className="list" data-testid="case-list" role="listbox" aria-label="Cases">
        {cases.data?.map((c) => (
          <li key={c.id} role="option" aria-selected={c.id === selectedCaseId} data-testid="case-item" data-case-id={c.id}>
            <button type="button" className="list-item" onClick={() => onSelect(c.id)}>
              <span className="item-title">{c.name}</span>
              <span className="item-meta">
                {c.examiner ? `${c.examiner} · ` : ''}
                {c.evidenceCount} {c.evidenceCount === 1 ? 'item' : 'items'} · {formatDateTime(c.createdAt).slice(0, 16)}
              </span>
            </button>
          </li>
        ))}
        {cases.data?.length === 0 && <li className="empty">No cases yet. Create one to start.</li>}
        {cases.isPending && <li className="empty">Loading…</li>}
      </ul>
    </section>
  );
}
