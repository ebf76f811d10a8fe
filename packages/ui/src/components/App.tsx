import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from '@vigil/engine/contract';
import { ChatPanel } from '../chat/ChatPanel';
import { EventsPanel } from '../events/EventsPanel';
import { ClientProvider } from '../hooks/client-context';
import { useLiveUpdates } from '../hooks/use-live-updates';
import { useOp } from '../hooks/use-op';
import { useSessionState } from '../hooks/use-session-state';
import { Player } from '../player/Player';
import { ReviewProvider, useReview, type SideTab } from '../review/review-context';
import { useReviewShortcuts } from '../review/use-review-shortcuts';
import { ZonesPanel } from '../zones/ZonesPanel';
import { AppHeader } from './AppHeader';
import { CasePanel } from './CasePanel';
import { EvidenceDetails } from './EvidenceDetails';
import { EvidencePanel } from './EvidencePanel';
import { HelpOverlay } from './HelpOverlay';
import { JobsPanel } from './JobsPanel';
import { ReportDialog } from './ReportDialog';
import { StatusDialog } from './StatusDialog';

/** The whole review UI. Needs a react-query QueryClientProvider above it; the client picks the transport. */
export function App({ client }: { client: ApiClient }) {
  return (
    <ClientProvider client={client}>
      <Workspace />
    </ClientProvider>
  );
}

type Dialog = 'help' | 'status' | 'report' | null;

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
    <ReviewProvider caseItem={currentCase} evidence={evidence} evidenceList={evidenceList.data ?? []} onSelectEvidence={setEvidenceId}>
      <ReviewLayout onSelectCase={selectCase} onSelectEvidence={setEvidenceId} evidenceId={evidenceId} caseId={caseId} />
    </ReviewProvider>
  );
}

function ReviewLayout({ caseId, evidenceId, onSelectCase, onSelectEvidence }: { caseId: string | null; evidenceId: string | null; onSelectCase: (id: string | null) => void; onSelectEvidence: (id: string) => void }) {
  const { caseItem, evidence, tab, setTab } = useReview();
  const evidenceList = useOp('evidence.list', caseItem ? { caseId: caseItem.id } : null).data ?? [];
  const [dialog, setDialog] = useState<Dialog>(null);
  const [toast, setToast] = useState<{ text: string; at: number } | null>(null);
  const notify = useCallback((text: string) => setToast({ text, at: Date.now() }), []);
  const toggleHelp = useCallback(() => setDialog((d) => (d === 'help' ? null : 'help')), []);
  const closeDialog = useCallback(() => setDialog(null), []);
  useReviewShortcuts({ toggleHelp, notify });

  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 3500);
    return () => clearTimeout(t);
  }, [toast]);

  return (
    <div className="app">
      <AppHeader
        caseName={caseItem?.name ?? null}
        onExport={caseItem ? () => setDialog('report') : null}
        onStatus={() => setDialog('status')}
        onHelp={() => setDialog('help')}
      />
      <div className="workspace">
        <aside className="column left">
          <CasePanel selectedCaseId={caseId} onSelect={onSelectCase} />
          {caseItem ? (
            <EvidencePanel caseId={caseItem.id} caseName={caseItem.name} selectedEvidenceId={evidenceId} onSelect={onSelectEvidence} />
          ) : (
            <section className="panel grow">
              <header className="panel-head">
                <h2>Evidence</h2>
              </header>
              <p className="empty">Select or create a case to import footage.</p>
            </section>
          )}
          <EvidenceDetails evidence={evidence} />
          <JobsPanel caseId={caseItem?.id ?? null} />
        </aside>
        <main className="column centre">
          <Player evidence={evidence} />
        </main>
        <aside className="column right">
          <SideTabs tab={tab} onTab={setTab} />
          <div className="tab-body" role="tabpanel" data-tab={tab}>
            {tab === 'events' && <EventsPanel evidence={evidence} evidenceList={evidenceList} />}
            {tab === 'chat' && <ChatPanel caseItem={caseItem} evidenceList={evidenceList} />}
            {tab === 'zones' && <ZonesPanel caseItem={caseItem} evidence={evidence} />}
          </div>
        </aside>
      </div>
      {toast && (
        <div className="toast" role="status" data-testid="toast" key={toast.at}>
          {toast.text}
        </div>
      )}
      {dialog === 'help' && <HelpOverlay onClose={closeDialog} />}
      {dialog === 'status' && <StatusDialog onClose={closeDialog} evidence={evidence} />}
      {dialog === 'report' && caseItem && <ReportDialog caseItem={caseItem} evidenceList={evidenceList} onClose={closeDialog} />}
    </div>
  );
}

const TABS: { id: SideTab; label: string; hint: string }[] = [
  { id: 'events', label: 'Events', hint: 'Analysis, events and bookmarks (N/P to step through events)' },
  { id: 'chat', label: 'Chat', hint: 'Ask about the case (/)' },
  { id: 'zones', label: 'Zones', hint: 'Zones and anomaly definitions' },
];

function SideTabs({ tab, onTab }: { tab: SideTab; onTab: (t: SideTab) => void }) {
  return (
    <div className="side-tabs" role="tablist" aria-label="Review panels">
      {TABS.map((t) => (
        <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={`side-tab${tab === t.id ? ' on' : ''}`} data-testid={`tab-${t.id}`} title={t.hint} onClick={() => onTab(t.id)}>
          {t.label}
        </button>
      ))}
    </div>
  );
}
