/**
 * A reader for the YAML subset electron-builder.yml uses (no dependency): block maps and sequences by
 * indentation, `- key: value` items, flow sequences `[a, "b"]`, quoted and plain scalars, booleans,
 * numbers, null, and `#` comments. Anything outside that subset (anchors, tags, block scalars, flow
 * maps) is an error, so the packaging test fails loudly instead of misreading a config that grew.
 */

export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line {
  indent: number;
  text: string;
  no: number;
}

export class YamlSubsetError extends Error {}

/** Removes a trailing ` # comment` that is not inside quotes. */
function stripComment(s: string): string {
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]))) return s.slice(0, i).trimEnd();
  }
  return s.trimEnd();
}

function splitFlow(body: string, no: number): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quote) {
      cur += c;
      if (c === '\\' && quote === '"') cur += body[++i];
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === ',') {
      out.push(cur.trim());
      cur = '';
    } else if (c === '[' || c === '{') throw new YamlSubsetError(`line ${no}: nested flow collections are outside the subset`);
    else cur += c;
  }
  if (quote) throw new YamlSubsetError(`line ${no}: unterminated quote`);
  if (cur.trim()) out.push(cur.trim());
  return out;
}

function scalar(raw: string, no: number): Yaml {
  const s = raw.trim();
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) throw new YamlSubsetError(`line ${no}: flow sequences must close on the same line`);
    return splitFlow(s.slice(1, -1), no).map((x) => scalar(x, no));
  }
  if (s.startsWith('"')) {
    if (!s.endsWith('"') || s.length < 2) throw new YamlSubsetError(`line ${no}: unterminated double quote`);
    return JSON.parse(s) as string;
  }
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) throw new YamlSubsetError(`line ${no}: unterminated single quote`);
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (/^[&*!|>{%@`]/.test(s)) throw new YamlSubsetError(`line ${no}: ${JSON.stringify(s)} is outside the YAML subset`);
  if (s === '' || s === '~' || s === 'null') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  return s;
}

const KEY = /^([A-Za-z0-9_.$-]+|"[^"]*"):(?:\s+(.*))?$/;

function parseBlock(lines: Line[], start: number, indent: number): [Yaml, number] {
  const first = lines[start];
  if (first.text === '-' || first.text.startsWith('- ')) {
    const seq: Yaml[] = [];
    let i = start;
    while (i < lines.length && lines[i].indent === indent && (lines[i].text === '-' || lines[i].text.startsWith('- '))) {
      const item = lines[i].text.slice(1).trim();
      if (item === '') {
        if (i + 1 >= lines.length || lines[i + 1].indent <= indent) throw new YamlSubsetError(`line ${lines[i].no}: empty sequence item`);
        const [v, next] = parseBlock(lines, i + 1, lines[i + 1].indent);
        seq.push(v);
        i = next;
      } else if (KEY.test(item) && !item.startsWith('"')) {
        // "- key: value" opens a map whose further keys are indented past the dash.
        const inner = indent + 2;
        const rest = [{ indent: inner, text: item, no: lines[i].no }];
        let j = i + 1;
        while (j < lines.length && lines[j].indent > indent) rest.push(lines[j++]);
        const [v, used] = parseBlock(rest, 0, inner);
        if (used !== rest.length) throw new YamlSubsetError(`line ${rest[used].no}: inconsistent indentation in a sequence item`);
        seq.push(v);
        i = j;
      } else {
        seq.push(scalar(item, lines[i].no));
        i++;
      }
    }
    return [seq, i];
  }
  const map: { [key: string]: Yaml } = {};
  let i = start;
  while (i < lines.length && lines[i].indent === indent) {
    const m = KEY.exec(lines[i].text);
    if (!m) throw new YamlSubsetError(`line ${lines[i].no}: expected "key: value", got ${JSON.stringify(lines[i].text)}`);
    const key = m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : m[1];
    if (Object.prototype.hasOwnProperty.call(map, key)) throw new YamlSubsetError(`line ${lines[i].no}: duplicate key ${key}`);
    const rest = m[2]?.trim() ?? '';
    if (rest !== '') {
      map[key] = scalar(rest, lines[i].no);
      i++;
      continue;
    }
    const next = lines[i + 1];
    // A block under the key: deeper indentation, or a sequence at the same indentation.
    if (next && (next.indent > indent || (next.indent === indent && (next.text === '-' || next.text.startsWith('- '))))) {
      const [v, after] = parseBlock(lines, i + 1, next.indent);
      map[key] = v;
      i = after;
    } else {
      map[key] = null;
      i++;
    }
  }
  if (i < lines.length && lines[i].indent > indent) throw new YamlSubsetError(`line ${lines[i].no}: unexpected indentation`);
  return [map, i];
}

export function parseYamlSubset(text: string): Yaml {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, idx) => {
    if (/\t/.test(raw.match(/^\s*/)![0])) throw new YamlSubsetError(`line ${idx + 1}: tabs are not allowed for indentation`);
    if (/^---|^\.\.\./.test(raw)) throw new YamlSubsetError(`line ${idx + 1}: document markers are outside the subset`);
    const t = stripComment(raw);
    if (t.trim() === '') return;
    lines.push({ indent: t.length - t.trimStart().length, text: t.trim(), no: idx + 1 });
  });
  if (!lines.length) return null;
  const [v, end] = parseBlock(lines, 0, lines[0].indent);
  if (end !== lines.length) throw new YamlSubsetError(`line ${lines[end].no}: unexpected indentation`);
  return v;
}
