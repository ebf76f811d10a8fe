/** Minimal argv parser: positionals plus `--flag value` / `--flag=value`; known switches take no value. */
import { VigilError } from '../errors.js';

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean>;
}

const SWITCHES = new Set(['json', 'help', 'open', 'transcript', 'force', 'include-evidence', 'verbose', 'require-ep', 'heatmaps']);

export function parseArgs(argv: string[]): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) out.flags[name] = a.slice(eq + 1);
      else if (SWITCHES.has(name)) out.flags[name] = true;
      else {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith('--')) throw new VigilError('invalid_input', `--${name} needs a value.`);
        out.flags[name] = v;
        i++;
      }
    } else out.positionals.push(a);
  }
  return out;
}

export function flag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireFlag(args: ParsedArgs, name: string, what: string): string {
  const v = flag(args, name);
  if (!v) throw new VigilError('invalid_input', `--${name} is required (${what}).`);
  return v;
}

export function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new VigilError('invalid_input', `--${name} must be a number, got ${JSON.stringify(v)}.`);
  return n;
}
