/**
 * Which rows belong to a case, read from the schema itself rather than a hand-kept list: a table
 * belongs to cases if it has a `case_id` column, or a foreign key to a table that belongs (rows hanging
 * off the case's analyses, conversations, ...). New tables are picked up as the schema grows. Tables are
 * returned parents first, the order rows must be inserted in with foreign keys on.
 */
import type { Db } from '../store/db.js';

export interface CaseTable {
  name: string;
  columns: string[];
  /** SQL condition selecting this table's rows of one case; binds the case id once (`?`). */
  where: string;
  orderBy: string;
}

/** Tables that are never part of a case bundle: the audit log travels as an extract of its own. */
const EXCLUDED = new Set(['audit_log']);

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

export function caseTables(db: Db): CaseTable[] {
  const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[])
    .map((r) => r.name)
    .filter((n) => !EXCLUDED.has(n));
  const info = new Map(
    names.map((n) => {
      const cols = db.prepare(`PRAGMA table_info(${q(n)})`).all() as { name: string; pk: number }[];
      const fks = db.prepare(`PRAGMA foreign_key_list(${q(n)})`).all() as { table: string; from: string; to: string | null }[];
      return [n, { cols, fks }] as const;
    }),
  );

  const where = new Map<string, string | null>();
  const resolve = (t: string, seen: Set<string>): string | null => {
    if (where.has(t)) return where.get(t)!;
    if (seen.has(t) || !info.has(t)) return null;
    seen.add(t);
    const { cols, fks } = info.get(t)!;
    let clause: string | null = null;
    if (t === 'cases') clause = '"id" = ?';
    else if (cols.some((c) => c.name === 'case_id')) clause = '"case_id" = ?';
    else {
      for (const fk of fks) {
        const parent = resolve(fk.table, seen);
        if (parent) {
          clause = `${q(fk.from)} IN (SELECT ${q(fk.to ?? 'id')} FROM ${q(fk.table)} WHERE ${parent})`;
          break;
        }
      }
    }
    where.set(t, clause);
    return clause;
  };
  for (const n of names) resolve(n, new Set());

  const included = names.filter((n) => where.get(n));
  // Parents first (Kahn's algorithm over foreign keys among included tables).
  const ordered: string[] = [];
  const pending = new Set(included);
  while (pending.size) {
    const ready = [...pending].filter((t) => info.get(t)!.fks.every((fk) => fk.table === t || !pending.has(fk.table)));
    if (!ready.length) throw new Error(`foreign-key cycle among ${[...pending].join(', ')}`);
    for (const t of ready) {
      ordered.push(t);
      pending.delete(t);
    }
  }
  return ordered.map((name) => {
    const { cols } = info.get(name)!;
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => q(c.name));
    return { name, columns: cols.map((c) => c.name), where: where.get(name)!, orderBy: pk.length ? pk.join(', ') : 'rowid' };
  });
}

export function quoteIdent(name: string): string {
  return q(name);
}
