import type { ApiClient } from '@vigil/engine/contract';
import { ClientProvider } from '../hooks/client-context';
import { useLiveUpdates } from '../hooks/use-live-updates';
import { useOp } from '../hooks/use-op';
import { useSessionState } from '../hooks/use-session-state';
import { Player } from '../player/Player';
import { AppHeader } from './AppHeader';
import { CasePanel } from './CasePanel';
import { EvidenceDetails } from './EvidenceDetails';
import { EvidencePanel } from './EvidencePanel';
import { JobsPanel } from './JobsPanel';

/** The whole review UI. Needs a react-query QueryClientProvider above it; the client picks the transport. */
export function App({ client }: { client: ApiClient }) {
  return (
    <ClientProvider client={client}>
      <Workspace />
    </ClientProvider>
  );
}

function Workspace() {
  useLiveUpdates();
  const [caseId, setCaseId] = useSessionState<string | null>('vigil.case', null);
  const [evidenceId, setEvidenceId] = useSessionState<string | null>('vigil.evidence', null);

  const cases = useOp('cases.list', {});
  const currentCase = cases.data?.find((c) => c.id === caseId) ?? null;
  const evidenceList = useOp('evidence.list', currentCase ? { caseId: currentCase.id } : null);
  const evidence = evidenceList.data?.find((e) => e.id === evidenceId) ?? null;

  // A remembered id that is not (or not yet) in the lists simply selects nothing: right after a create
  // or an import the list refetch may still be on its way, so ids are never cleared here.
  const selectCase = (id: string | null) => {
    if (id !== caseId) setEvidenceId(null);
    setCaseId(id);
  };

  return (
    <div className="app">
      <AppHeader caseName={currentCase?.name ?? null} />
      <div className="workspace">
        <aside className="column left">
          <CasePanel selectedCaseId={caseId} onSelect={selectCase} />
          {currentCase ? (
            <EvidencePanel caseId={currentCase.id} caseName={currentCase.name} selectedEvidenceId={evidenceId} onSelect={setEvidenceId} />
          ) : (
            <section className="panel grow">
              <header className="panel-head">
                <h2>Evidence</h2>
              </header>
              <p className="empty">Select or create a case to import footage.</p>
            </section>
          )}
        </aside>
        <main className="column centre">
          <Player evidence={evidence} />
        </main>
        <aside className="column right">
          <EvidenceDetails evidence={evidence} />
          <JobsPanel caseId={currentCase?.id ?? null} />
        </aside>
      </div>
    </div>
  );
}
