/**
 * Ground truth for the review specs: the same web host the page talks to, called directly with the
 * per-launch token, so a spec can compare what the UI draws with what the engine says.
 */
import type { OpInput, OpName, OpOutput } from '@vigil/engine/contract';

export interface EngineApi {
  baseUrl: string;
  token: string;
  call<K extends OpName>(op: K, input: OpInput<K>): Promise<OpOutput<K>>;
  /** True when the engine answers this operation with its "not wired yet" placeholder. */
  notWired(op: OpName, input: unknown): Promise<boolean>;
}

export function engineApi(pageUrl: string): EngineApi {
  const u = new URL(pageUrl);
  const token = u.searchParams.get('token');
  if (!token) throw new Error(`no token in ${pageUrl}`);
  const baseUrl = u.origin;
  const post = (op: string, input: unknown) =>
    fetch(`${baseUrl}/api/${op}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(input ?? {}) });
  return {
    baseUrl,
    token,
    async call(op, input) {
      const res = await post(op, input);
      const body = await res.json();
      if (!res.ok) throw new Error(`${op} failed (${res.status}): ${body?.error?.message ?? JSON.stringify(body)}`);
      return body;
    },
    async notWired(op, input) {
      const res = await post(op, input);
      if (res.ok) return false;
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      return /not wired yet/i.test(body?.error?.message ?? '');
    },
  };
}
