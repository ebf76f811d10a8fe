/**
 * Hostile inputs for every operation of the API contract, generated from the operations' zod input
 * schemas: per field, wrong types, oversized values, out-of-range numbers, arrays/objects where scalars
 * go, file paths and injection strings where ids go, ids of the wrong kind, well-formed unknown ids,
 * ids of another case; per operation, unknown fields, prototype-pollution keys, missing required
 * fields and non-object inputs. Every generated case is invalid by construction: the engine must
 * refuse it (invalid_input or not_found) and change nothing. Shared by the HTTP and IPC fuzz tests.
 */
import type { z } from 'zod';

export type ExpectedCode = 'invalid_input' | 'not_found';

export interface FuzzCase {
  op: string;
  input: unknown;
  /** What the case tries, for failure messages. */
  why: string;
  expect: ExpectedCode;
  /** JSON cannot carry it (NaN, Infinity, undefined inside arrays...): IPC transport only. */
  ipcOnly?: boolean;
}

/** Ids the fuzzer may use: those of the case under attack (`own`) and of another case (`other`). */
export interface FuzzWorld {
  own: Record<IdPrefix, string>;
  other: Record<IdPrefix, string>;
  /** Files that exist on this machine (what an attacker would point at). */
  paths: { database: string; folder: string; existingFile: string };
}

export const ID_PREFIXES = ['case', 'ev', 'job', 'an', 'evt', 'note', 'conv', 'zone', 'rep', 'def', 'msg'] as const;
export type IdPrefix = (typeof ID_PREFIXES)[number];

/** A well-formed id that names nothing. */
export const unknownId = (prefix: string) => `${prefix}_${'a'.repeat(16)}`;

interface Field {
  name: string;
  required: boolean;
  type: string;
  maxLength?: number;
  minLength?: number;
  idPrefix?: IdPrefix;
  min?: number;
  max?: number;
  int?: boolean;
  options?: string[];
  element?: Field;
  items?: Field[];
  minItems?: number;
  literal?: unknown;
  shape?: Field[];
}

/** The parts of zod 4's schema objects the generator reads (def, checks, convenience getters). */
type AnySchema = { _zod: { def: Record<string, any> }; [key: string]: any };

function describe(name: string, s: AnySchema): Field {
  let x = s;
  let required = true;
  while (['optional', 'default', 'nullable'].includes(x._zod.def.type)) {
    required = false;
    x = x._zod.def.innerType;
  }
  const type = x._zod.def.type as string;
  const f: Field = { name, required, type };
  if (type === 'string') {
    f.maxLength = x.maxLength ?? undefined;
    f.minLength = x.minLength ?? undefined;
    for (const c of (x._zod.def.checks ?? []) as AnySchema[]) {
      const m = /^\^([a-z]+)_/.exec((c._zod.def.pattern as RegExp | undefined)?.source ?? '');
      if (m) f.idPrefix = m[1] as IdPrefix;
    }
  } else if (type === 'number') {
    f.min = Number.isFinite(x.minValue) ? x.minValue : undefined;
    f.max = Number.isFinite(x.maxValue) ? x.maxValue : undefined;
    f.int = !!x.isInt;
  } else if (type === 'enum') {
    f.options = x.options as string[];
  } else if (type === 'array') {
    f.element = describe(`${name}[]`, x._zod.def.element);
    const checks = (x._zod.def.checks ?? []) as AnySchema[];
    f.maxLength = checks.map((c) => c._zod.def.maximum).find((m: unknown) => typeof m === 'number');
    f.minItems = checks.map((c) => c._zod.def.minimum).find((m: unknown) => typeof m === 'number');
  } else if (type === 'tuple') {
    f.items = (x._zod.def.items as AnySchema[]).map((it, i) => describe(`${name}[${i}]`, it));
  } else if (type === 'literal') {
    f.literal = (x._zod.def.values as unknown[])[0];
  } else if (type === 'object') {
    f.shape = Object.entries(x._zod.def.shape as Record<string, AnySchema>).map(([k, v]) => describe(k, v));
  }
  return f;
}

export function fieldsOf(schema: z.ZodType): Field[] {
  const s = schema as unknown as AnySchema;
  if (s._zod.def.type !== 'object') throw new Error('operation inputs are objects');
  return Object.entries(s._zod.def.shape as Record<string, AnySchema>).map(([k, v]) => describe(k, v));
}

function validValue(f: Field, w: FuzzWorld): unknown {
  if (f.idPrefix) return w.own[f.idPrefix];
  switch (f.type) {
    case 'string':
      // A path field gets a path that does not exist: even if it were reached, nothing would start.
      return f.name === 'path' ? `${w.paths.folder}/no-such-footage.mp4` : 'x'.repeat(Math.max(1, f.minLength ?? 1));
    case 'number':
      return f.min ?? 0;
    case 'enum':
      return f.options![0];
    case 'array':
      return Array.from({ length: f.minItems ?? 0 }, () => validValue(f.element!, w));
    case 'tuple':
      return f.items!.map((it) => validValue(it, w));
    case 'boolean':
      return false;
    case 'literal':
      return f.literal;
    case 'object':
      return Object.fromEntries(f.shape!.filter((g) => g.required).map((g) => [g.name, validValue(g, w)]));
    default:
      throw new Error(`no valid sample for ${f.name} (${f.type})`);
  }
}

/** A valid input with only the required fields. */
export function baseInput(schema: z.ZodType, w: FuzzWorld): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fieldsOf(schema)) if (f.required) out[f.name] = validValue(f, w);
  return out;
}

const PATHS_AS_IDS = (w: FuzzWorld) => [
  '/etc/passwd', '../../../../etc/passwd', '..\\..\\windows\\win.ini', 'C:\\Windows\\System32\\config\\SAM', 'file:///etc/passwd',
  '~/.ssh/id_rsa', w.paths.database, w.paths.existingFile, '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '\\\\server\\share\\clip.mp4', 'vigil-media://evidence/../../x',
];
const INJECTIONS = ["' OR '1'='1", "x'); DROP TABLE cases;--", '{"$gt":""}', '<script>alert(1)</script>', '${process.exit()}', '\u0000', '\r\n\r\nGET / HTTP/1.1'];

/** Values of the wrong JSON type for a field of type `type`. */
function wrongTypes(type: string): unknown[] {
  const all: Record<string, unknown> = { string: 'text', number: 42, boolean: true, object: { a: 1 }, array: ['x'], null: null, nested: { $gt: '' } };
  const keep = (k: string) => !(k === type || (type === 'enum' && k === 'string'));
  return Object.entries(all).filter(([k]) => keep(k)).map(([, v]) => v);
}

function fieldCases(op: string, base: Record<string, unknown>, f: Field, fields: Field[], w: FuzzWorld): FuzzCase[] {
  const out: FuzzCase[] = [];
  const with_ = (value: unknown, why: string, expect: ExpectedCode = 'invalid_input', ipcOnly = false) =>
    out.push({ op, input: { ...base, [f.name]: value }, why: `${f.name}: ${why}`, expect, ...(ipcOnly ? { ipcOnly } : {}) });

  for (const v of wrongTypes(f.type)) with_(v, `wrong type ${JSON.stringify(v)}`);
  if (!f.required) with_(null, 'null for an optional field');

  if (f.type === 'string') {
    if (f.maxLength !== undefined) with_('y'.repeat(f.maxLength + 1), `${f.maxLength + 1} characters (max ${f.maxLength})`);
    with_('z'.repeat(200_000), '200 000 characters');
    if (f.idPrefix) {
      for (const p of PATHS_AS_IDS(w)) with_(p, `path where an id goes: ${p}`);
      for (const s of INJECTIONS) with_(s, `injection string ${JSON.stringify(s)}`);
      for (const other of ID_PREFIXES.filter((p) => p !== f.idPrefix)) with_(w.own[other], `id of another kind (${other})`);
      with_(w.own[f.idPrefix].toUpperCase(), 'upper-cased id');
      with_(`${w.own[f.idPrefix]}\n`, 'id with a trailing newline');
      with_(` ${w.own[f.idPrefix]}`, 'id with a leading space');
      with_(`${w.own[f.idPrefix]}/../${w.own[f.idPrefix]}`, 'id with a traversal suffix');
      with_(w.own[f.idPrefix].replace('_', '\u005f\u200b'), 'id with a zero-width space');
      with_('', 'empty id');
      with_(unknownId(f.idPrefix), 'well-formed id that names nothing', 'not_found');
      // Another case's id where the operation's case is fixed by its caseId field.
      if (f.idPrefix !== 'case' && fields.some((g) => g.idPrefix === 'case')) with_(w.other[f.idPrefix], `id of another case (${f.idPrefix})`, 'not_found');
    } else if (f.name === 'path') {
      with_('relative/clip.mp4', 'relative path');
      with_('../../etc/passwd', 'relative traversal path');
      with_(`${w.paths.folder}/a\u0000b.mp4`, 'path with a NUL byte');
      with_(w.paths.folder, 'a folder');
      with_(`${w.paths.folder}/missing/clip.mp4`, 'missing file', 'not_found');
      with_('', 'empty path');
    } else if ((f.minLength ?? 0) >= 1) {
      with_('', 'empty string below the minimum length');
      with_('   \t\n', 'only whitespace');
    }
  }

  if (f.type === 'number') {
    for (const v of ['5', '1e3', true, [1], { value: 1 }]) with_(v, `number as ${JSON.stringify(v)}`);
    if (f.min !== undefined) with_(f.min - 1, `below the minimum ${f.min}`);
    if (f.max !== undefined) with_(f.max + 1, `above the maximum ${f.max}`);
    with_(1e308, '1e308');
    with_(-1e308, '-1e308');
    if (f.int) with_((f.min ?? 0) + 0.5, 'non-integer');
    with_(Number.NaN, 'NaN', 'invalid_input', true);
    with_(Number.POSITIVE_INFINITY, 'Infinity', 'invalid_input', true);
    with_(BigInt(5), 'BigInt', 'invalid_input', true);
  }

  if (f.type === 'enum') {
    with_('bogus', 'not one of the options');
    with_(f.options![0].toUpperCase(), 'upper-cased option');
    with_(`${f.options![0]} `, 'option with a trailing space');
    with_([f.options![0]], 'option inside an array');
    with_('__proto__', '__proto__ as an option');
  }

  if (f.type === 'tuple') {
    const good = validValue(f, w) as unknown[];
    with_(good.slice(1), `tuple with ${good.length - 1} items`);
    with_([...good, good[0]], `tuple with ${good.length + 1} items`);
    with_(good.map(() => 'x'), 'tuple of strings');
  }

  if (f.type === 'array' && f.element) {
    const good = f.element.idPrefix ? w.own[f.element.idPrefix] : validValue(f.element, w);
    with_([42], 'array of numbers');
    with_([null], 'array with null');
    with_([[good]], 'nested array');
    with_({ 0: good, length: 1 }, 'array-like object');
    if (f.maxLength !== undefined) with_(Array.from({ length: f.maxLength + 1 }, () => good), `${f.maxLength + 1} items (max ${f.maxLength})`);
    if (f.minItems) with_(Array.from({ length: f.minItems - 1 }, () => good), `${f.minItems - 1} items (min ${f.minItems})`);
    if (f.element.type === 'tuple' && f.element.items!.every((i) => i.max !== undefined)) {
      const outOfRange = f.element.items!.map((i) => i.max! + 1);
      with_([...Array.from({ length: Math.max(0, (f.minItems ?? 1) - 1) }, () => good), outOfRange], 'out-of-range tuple inside the array');
    }
    with_(Array.from({ length: 100_000 }, () => good), '100 000 items');
    // An id list whose case is fixed by another id of the operation (e.g. reference footage).
    if (f.element.idPrefix && fields.some((g) => g !== f && g.idPrefix)) {
      with_(['/etc/passwd'], 'path inside an id array');
      with_([unknownId(f.element.idPrefix)], 'unknown id inside an id array', 'not_found');
      with_([w.other[f.element.idPrefix]], 'id of another case inside an id array', 'not_found');
    }
  }
  return out;
}

/** Objects whose own keys are prototype-pollution attempts (as JSON.parse would build them). */
function pollutionInputs(base: Record<string, unknown>): { input: unknown; why: string }[] {
  const json = JSON.stringify(base).slice(1, -1);
  const sep = json ? ',' : '';
  return [
    { input: JSON.parse(`{${json}${sep}"__proto__":{"polluted":"yes","isAdmin":true}}`), why: '__proto__ key' },
    { input: JSON.parse(`{${json}${sep}"constructor":{"prototype":{"polluted":"yes"}}}`), why: 'constructor.prototype key' },
    { input: JSON.parse(`{${json}${sep}"prototype":{"polluted":"yes"}}`), why: 'prototype key' },
    { input: JSON.parse(`{${json}${sep}"toString":"x","valueOf":1,"hasOwnProperty":null}`), why: 'Object.prototype method names as keys' },
  ];
}

export function fuzzCases(contract: Record<string, { input: z.ZodType }>, w: FuzzWorld): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (const [op, { input: schema }] of Object.entries(contract)) {
    const fields = fieldsOf(schema);
    const base = baseInput(schema, w);
    for (const f of fields) out.push(...fieldCases(op, base, f, fields, w));
    for (const f of fields.filter((g) => g.required)) {
      const { [f.name]: _drop, ...rest } = base;
      out.push({ op, input: rest, why: `missing required ${f.name}`, expect: 'invalid_input' });
    }
    out.push({ op, input: { ...base, extra: 1 }, why: 'unknown field', expect: 'invalid_input' });
    out.push({ op, input: { ...base, path: '/etc/passwd', file: '/etc/passwd' }, why: 'path smuggled in unknown fields', expect: 'invalid_input' });
    if (fields.length) out.push({ op, input: { ...base, [`${fields[0].name} `]: 'x' }, why: 'field name with a trailing space', expect: 'invalid_input' });
    for (const p of pollutionInputs(base)) out.push({ op, input: p.input, why: p.why, expect: 'invalid_input' });
    for (const v of [42, 'cases.list', [], [base], true, 0, '']) out.push({ op, input: v, why: `input is ${JSON.stringify(v)}`, expect: 'invalid_input' });
  }
  return out;
}
