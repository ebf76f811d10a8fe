/**
 * Opening a case database: one SQLite file per workspace. WAL so the UI can read while a job writes;
 * synchronous=FULL because custody records (evidence, audit log) must survive power loss once committed;
 * foreign keys on; migrations applied in transactions, with an online backup taken first when an
 * existing database is about to be migrated.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { VigilError } from '../errors.js';
import { migrations as schemaMigrations, type Migration } from './schema.js';

export type Db = Database.Database;

export interface OpenOptions {
  readonly?: boolean;
  /** The migration list to apply (default: the schema's); tests pass their own to exercise upgrades. */
  migrations?: Migration[];
}

export function openDatabase(path: string, opts: OpenOptions = {}): Db {
  const file = resolve(path);
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new VigilError('invalid_input', `The database path ${file} is a directory; give a file path such as ${file}/vigil.db.`);
  }
  if (opts.readonly && !existsSync(file)) throw new VigilError('not_found', `No case database at ${file}.`);
  if (!opts.readonly) mkdirSync(dirname(file), { recursive: true });
  let db: Db;
  try {
    db = new Database(file, { readonly: !!opts.readonly, fileMustExist: !!opts.readonly });
    db.pragma('busy_timeout = 10000');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    // Force a read so a file that is not a database fails here, with a clear message.
    db.pragma('user_version', { simple: true });
  } catch (e) {
    throw new VigilError('invalid_input', `${file} is not a readable Vigil case database (${(e as Error).message}).`);
  }
  if (!opts.readonly) migrate(db, file, opts.migrations ?? schemaMigrations);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, file: string, migrations: Migration[]): void {
  const SCHEMA_VERSION = migrations[migrations.length - 1].version;
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new VigilError('conflict', `${file} was written by a newer Vigil (schema ${current}; this build knows ${SCHEMA_VERSION}). Upgrade Vigil to open it.`);
  }
  if (current === SCHEMA_VERSION) return;
  if (current > 0) backupDatabaseSync(db, `${file}.pre-v${SCHEMA_VERSION}-${Date.now()}.bak`);
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}

/** Consistent copy of a live database (VACUUM INTO reads one snapshot; the source stays usable). */
export function backupDatabaseSync(db: Db, target: string): string {
  const out = resolve(target);
  if (existsSync(out)) throw new VigilError('conflict', `Backup target ${out} already exists.`);
  mkdirSync(dirname(out), { recursive: true });
  db.prepare('VACUUM INTO ?').run(out);
  return out;
}
