/**
 * Ground truth for the review specs: the same web host the page talks to, called directly with the
 * per-launch token, so a spec can compare what the UI draws with what the engine says.
 */
import type { OpInput, OpName, OpOutput } from '@vigil/engine/contract';

export interface EngineApi {
  baseUrl: string;
  token: string;
  call<K extends OpName>(op: K, input: OpInput<K>): Promise<OpOutput<K>>;
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
  };
}
