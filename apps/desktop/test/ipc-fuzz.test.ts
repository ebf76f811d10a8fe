/**
 * Hostile API over the IPC transport: the contract-generated fuzz cases (shared with the HTTP test in
 * packages/engine/test/hardening) through `invokeForSender`, the Electron handler as a plain function,
 * plus values only IPC can carry (NaN, Infinity, BigInt, Dates, Maps, typed arrays), untrusted frames and
 * non-string operation names. Every call is refused with ok:false and a validation error, no stack
 * trace crosses the bridge, and the database is unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, Engine } from '@vigil/engine';
import { invokeForSender } from '../src/main/invoke.js';
import { baseInput, fuzzCases, type FuzzWorld } from '../../../packages/engine/test/hardening/fuzz-cases.js';
import { seedFuzzWorld } from '../../../packages/engine/test/hardening/fuzz-world.js';
import { snapshot } from '../../../packages/engine/test/hardening/invariants.js';

const APP = 'vigil://app/index.html';

type Reply = Awaited<ReturnType<typeof invokeForSender>>;

/** What is wrong with a refusal (null = a clean refusal with `code`): shape, no internals, bounded size. */
function refusalProblem(r: Reply, code: string): string | null {
  if (r.ok) return `answered: ${JSON.stringify(r.value).slice(0, 100)}`;
  if (r.error.code !== code) return `code ${r.error.code}, expected ${code}: ${r.error.message}`;
  const extra = Object.keys(r.error).filter((k) => !['code', 'message', 'issues'].includes(k));
  if (extra.length) return `extra error keys ${extra}`;
  const text = JSON.stringify(r);
  if (/\\n\s+at |\bat [^\s]+ \(|node:internal|\/(src|dist)\/[\w/.-]+\.(ts|js)|Internal error/.test(text)) return `internals leaked: ${text.slice(0, 200)}`;
  if (text.length >= 20_000) return `reply of ${text.length} characters`;
  return null;
}

function expectCleanRefusal(r: Reply, code: string, label: string) {
  expect(refusalProblem(r, code), label).toBeNull();
}

describe('hostile API over IPC (invokeForSender)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-ipc-'));
  const internal: string[] = [];
  const engine = new Engine({ dbPath: join(dir, 'fuzz.db'), transport: 'ipc', log: (m) => internal.push(m) });
  let world: FuzzWorld;
  const counts: Record<string, number> = {};

  beforeAll(async () => {
    world = await seedFuzzWorld(engine, dir);
  });

  afterAll(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`API fuzz over IPC: ${total} calls refused (${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}) across ${Object.keys(contract).length} operations`);
  });

  it('refuses every generated hostile input (including IPC-only values) and changes nothing', async () => {
    const cases = fuzzCases(contract, world);
    const before = snapshot(engine.db);
    const failures: string[] = [];
    for (const c of cases) {
      const problem = refusalProblem(await invokeForSender(engine, APP, c.op, c.input), c.expect);
      if (problem) failures.push(`${c.op} ${c.why}: ${problem}`);
    }
    expect(failures).toEqual([]);
    expect(snapshot(engine.db)).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(internal).toEqual([]);
    counts['schema fuzz'] = cases.length;
  });

  it('refuses structured-clone values the contract does not describe', async () => {
    const exotic: [string, unknown][] = [
      ['Date', new Date(0)], ['Map', new Map([['name', 'x']])], ['Set', new Set(['x'])], ['Uint8Array', new Uint8Array([1, 2])],
      ['ArrayBuffer', new ArrayBuffer(8)], ['RegExp', /x/], ['Error', new Error('x')], ['sparse array', [, , 'x']], ['-0', -0],
    ];
    const before = snapshot(engine.db);
    let n = 0;
    for (const op of Object.keys(contract) as (keyof typeof contract)[]) {
      const base = baseInput(contract[op].input, world);
      for (const [why, v] of exotic) {
        expectCleanRefusal(await invokeForSender(engine, APP, op, v), 'invalid_input', `${op} input is ${why}`);
        n++;
        for (const field of Object.keys(base)) {
          if (why === '-0' && typeof base[field] === 'number') continue; // -0 is a valid number
          expectCleanRefusal(await invokeForSender(engine, APP, op, { ...base, [field]: v }), 'invalid_input', `${op}.${field} is ${why}`);
          n++;
        }
      }
      // A class instance with the right fields is not a plain object with those fields.
      const proto = Object.create({ injected: true }) as Record<string, unknown>;
      Object.assign(proto, base, { extra: 1 });
      expectCleanRefusal(await invokeForSender(engine, APP, op, proto), 'invalid_input', `${op} object with extra own field and prototype`);
      n++;
    }
    expect(snapshot(engine.db)).toBe(before);
    counts['structured-clone values'] = n;
  });

  it('refuses every operation from untrusted frames, even with valid input', async () => {
    const frames = [undefined, '', 'about:blank', 'https://evil.example/', 'http://127.0.0.1:3000/', 'file:///tmp/index.html', 'vigil://other/index.html', 'vigil://app.evil.example/', 'vigil://app:8080/index.html', 'vigil-media://evidence/x', 'devtools://devtools/bundled/inspector.html', 'chrome-extension://abc/index.html', 'javascript:alert(1)', 'data:text/html,<script>1</script>', 'not a url'];
    const before = snapshot(engine.db);
    let n = 0;
    for (const op of Object.keys(contract) as (keyof typeof contract)[]) {
      const input = baseInput(contract[op].input, world);
      for (const f of frames) {
        expectCleanRefusal(await invokeForSender(engine, f, op, input), 'forbidden', `${op} from ${f}`);
        n++;
      }
    }
    expect(snapshot(engine.db)).toBe(before);
    counts['untrusted frames'] = n;
  });

  it('refuses operation names that are not operations', async () => {
    const names: unknown[] = [undefined, null, 42, ['cases.list'], { toString: () => 'cases.list' }, '', 'cases', 'cases.list ', 'CASES.LIST', '__proto__', 'constructor', 'hasOwnProperty', 'toString', '../cases.list', 'cases.list\u0000', 'x'.repeat(100_000)];
    for (const name of names) expectCleanRefusal(await invokeForSender(engine, APP, name, {}), 'invalid_input', `op ${String(name).slice(0, 40)}`);
    counts['operation names'] = names.length;
    const ok = await invokeForSender(engine, APP, 'cases.list', {});
    expect(ok.ok && (ok.value as unknown[]).length).toBe(2);
  });
});
