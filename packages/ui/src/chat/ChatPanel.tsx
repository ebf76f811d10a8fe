/**
 * The case chat: multi-turn conversations kept by the engine, answers with citation chips that seek the
 * player and highlight what they cite, refusals marked as such. Enter sends, Shift+Enter breaks the line.
 */
import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { Case, Citation, Evidence } from '@vigil/engine/contract';
import { CitationChip } from '../components/CitationChip';
import { ErrorBanner } from '../components/ErrorBanner';
import { useOp, useOpMutation } from '../hooks/use-op';
import { useSessionState } from '../hooks/use-session-state';
import { formatDateTime } from '../lib/format';
import { useReview } from '../review/review-context';

const SUGGESTIONS = ['What happened in this footage?', 'Which object moved fastest?', 'Was anyone running, and when?', 'Why is event 1 anomalous?'];

interface ChatItem {
  key: string;
  role: 'user' | 'assistant';
  text: string;
  citations: Citation[];
  refused: boolean;
  pending?: boolean;
  at?: string;
}

export function ChatPanel({ caseItem, evidenceList }: { caseItem: Case | null; evidenceList: readonly Evidence[] }) {
  if (!caseItem) {
    return (
      <section className="panel grow chat-panel" data-testid="chat">
        <p className="empty">Open a case to ask questions about its footage.</p>
      </section>
    );
  }
  return <CaseChat key={caseItem.id} caseItem={caseItem} evidenceList={evidenceList} />;
}

function CaseChat({ caseItem, evidenceList }: { caseItem: Case; evidenceList: readonly Evidence[] }) {
  const { chatFocusRequest } = useReview();
  const caseId = caseItem.id;
  const [conversationId, setConversationId] = useSessionState<string | null>(`vigil.chat.${caseId}`, null);
  const conversations = useOp('chat.list', { caseId });
  const conversation = useOp('chat.get', conversationId ? { caseId, conversationId } : null);
  const [question, setQuestion] = useState('');
  const [pendingQuestion, setPendingQuestion] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement | null>(null);
  const scrollRef = useRef<HTMLDivElement | null>(null);

  const ask = useOpMutation('chat.ask', {
    invalidates: ['chat.'],
    onSuccess: (a) => {
      setConversationId(a.conversationId);
      setPendingQuestion(null);
    },
  });

  useEffect(() => {
    if (chatFocusRequest > 0) inputRef.current?.focus();
  }, [chatFocusRequest]);

  // A remembered conversation the engine does not know (another database) is forgotten. Judged by the
  // engine's answer, not by the list, which lags behind a conversation just started.
  useEffect(() => {
    if (conversation.error?.code === 'not_found') setConversationId(null);
  }, [conversation.error, setConversationId]);

  const items: ChatItem[] = (conversation.data?.messages ?? []).map((m) => ({ key: m.id, role: m.role, text: m.text, citations: m.citations, refused: m.refused, at: m.createdAt }));
  // The answer just received, until the refetched conversation includes it.
  if (ask.data && !items.some((i) => i.key === ask.data.messageId) && ask.data.conversationId === conversationId && !ask.isPending) {
    if (ask.variables && !items.some((i) => i.role === 'user' && i.text === ask.variables.question)) items.push({ key: 'asked', role: 'user', text: ask.variables.question, citations: [], refused: false });
    items.push({ key: ask.data.messageId, role: 'assistant', text: ask.data.answer, citations: ask.data.citations, refused: ask.data.refused });
  }
  if (pendingQuestion !== null) {
    items.push({ key: 'pending-q', role: 'user', text: pendingQuestion, citations: [], refused: false, pending: true });
    items.push({ key: 'pending-a', role: 'assistant', text: '', citations: [], refused: false, pending: true });
  }

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [items.length, conversationId]);

  const send = (text: string) => {
    const q = text.trim();
    if (!q || ask.isPending) return;
    setPendingQuestion(q);
    setQuestion('');
    ask.mutate(
      { caseId, question: q, ...(conversationId ? { conversationId } : {}) },
      {
        onError: () => {
          setPendingQuestion(null);
          setQuestion(q);
        },
      },
    );
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send(question);
  };
  const onKeyDown = (e: ReactKeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send(question);
    } else if (e.key === 'Escape') {
      e.currentTarget.blur();
    }
  };

  return (
    <section className="panel grow chat-panel" data-testid="chat" aria-label="Chat">
      <header className="panel-head chat-head">
        <select
          className="compact grow-select"
          aria-label="Conversation"
          data-testid="chat-conversation"
          value={conversationId ?? ''}
          onChange={(e) => {
            ask.reset();
            setConversationId(e.target.value || null);
          }}
        >
          <option value="">New conversation</option>
          {conversations.data?.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title || 'Untitled'} · {formatDateTime(c.createdAt).slice(5, 16)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button small"
          data-testid="chat-new"
          onClick={() => {
            ask.reset();
            setConversationId(null);
            inputRef.current?.focus();
          }}
          disabled={!conversationId}
        >
          New
        </button>
      </header>
      <ErrorBanner error={conversations.error ?? (conversation.error?.code === 'not_found' ? null : conversation.error)} />
      <div className="chat-scroll" ref={scrollRef} data-testid="chat-messages">
        {items.length === 0 && (
          <div className="chat-empty">
            <p className="dim">Ask about the footage of this case. Answers cite the frames they rely on; the engine says so when the footage cannot answer.</p>
            <div className="suggestions">
              {SUGGESTIONS.map((s) => (
                <button key={s} type="button" className="suggestion" onClick={() => send(s)}>
                  {s}
                </button>
              ))}
            </div>
          </div>
        )}
        {items.map((m) => (
          <article
            key={m.key}
            className={`chat-message ${m.role}${m.refused ? ' refused' : ''}${m.pending ? ' pending' : ''}`}
            data-testid="chat-message"
            data-role={m.role}
            data-refused={m.refused ? 'true' : 'false'}
          >
            <div className="chat-meta">
              <span className="chat-role">{m.role === 'user' ? 'You' : 'Vigil'}</span>
              {m.refused && (
                <span className="refused-badge" data-testid="chat-refused">
                  Cannot answer from the footage
                </span>
              )}
              {m.at && <span className="dim">{formatDateTime(m.at).slice(11, 19)}</span>}
            </div>
            {m.pending && m.role === 'assistant' ? (
              <div className="chat-text typing" aria-label="Answer being prepared">
                <span />
                <span />
                <span />
              </div>
            ) : (
              <div className="chat-text">{m.text}</div>
            )}
            {m.citations.length > 0 && (
              <div className="citations">
                {m.citations.map((c, i) => (
                  <CitationChip key={i} citation={c} evidenceList={evidenceList} />
                ))}
              </div>
            )}
          </article>
        ))}
      </div>
      <ErrorBanner error={ask.error} onDismiss={ask.reset} testId="chat-error" />
      <form className="chat-form" onSubmit={submit}>
        <textarea
          ref={inputRef}
          data-testid="chat-input"
          aria-label="Question"
          placeholder="Ask about this case…  (Enter to send, Shift+Enter for a new line)"
          rows={2}
          maxLength={10000}
          value={question}
          onChange={(e) => setQuestion(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button type="submit" className="button primary" data-testid="chat-send" disabled={ask.isPending || question.trim() === ''}>
          {ask.isPending ? '…' : 'Ask'}
        </button>
      </form>
    </section>
  );
}
