/**
 * ApiClient over the loopback web host: POST /api/<op> with a JSON body, Server-Sent Events on
 * /api/events, media at /media/<evidenceId>. The per-launch token comes from the page URL
 * (`?token=`) and travels as a bearer header; media URLs carry it as a query parameter because
 * <video> cannot set headers. Events carry ids: after a dropped connection EventSource reconnects by
 * itself with `Last-Event-ID` and the host replays what was missed, or sends `resync` when it cannot.
 */
import { ApiError, type ApiClient, type ApiEvent, type OpInput, type OpName, type OpOutput } from '@vigil/engine/contract';

export function createHttpClient(baseUrl: string, token: string): ApiClient {
  const listeners = new Set<(e: ApiEvent) => void>();
  let source: EventSource | null = null;

  function ensureStream() {
    if (source || typeof EventSource === 'undefined') return;
    source = new EventSource(`${baseUrl}/api/events?token=${encodeURIComponent(token)}`);
    source.onmessage = (m) => {
      const event = JSON.parse(m.data) as ApiEvent;
      for (const l of listeners) l(event);
    };
  }

  return {
    transport: 'http',
    async call<K extends OpName>(op: K, input: OpInput<K>): Promise<OpOutput<K>> {
      const res = await fetch(`${baseUrl}/api/${op}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(input ?? {}),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        const err = body?.error;
        throw new ApiError(err?.code ?? 'internal', err?.message ?? `HTTP ${res.status}`, err?.issues);
      }
      return body as OpOutput<K>;
    },
    subscribe(listener) {
      listeners.add(listener);
      ensureStream();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
    reportUrl(reportId) {
      return `${baseUrl}/reports/${encodeURIComponent(reportId)}?token=${encodeURIComponent(token)}`;
    },
    mediaUrl(evidenceId) {
      return `${baseUrl}/media/${encodeURIComponent(evidenceId)}?token=${encodeURIComponent(token)}`;
    },
  };
}
