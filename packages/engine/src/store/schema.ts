/**
 * The case database schema, as an ordered list of migrations. This is the single source of truth for
 * tables; `migrate()` applies what a database lacks, each migration in its own transaction, and records
 * the version in `PRAGMA user_version`. Never edit a migration that has shipped: append a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'cases, evidence, jobs, notes, audit log, analyses and their results',
    sql: `
CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  examiner TEXT,
  description TEXT,
  created_at TEXT NOT NULL
);

-- Evidence originals are never modified; we store where they were read, their hash and metadata.
CREATE TABLE evidence (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  file_name TEXT NOT NULL,
  original_path TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  probe_json TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  proxy_path TEXT,
  proxy_status TEXT NOT NULL DEFAULT 'original' CHECK (proxy_status IN ('original','pending','ready','failed')),
  UNIQUE (case_id, sha256)
);
CREATE INDEX evidence_case ON evidence(case_id);

CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  case_id TEXT REFERENCES cases(id),
  kind TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued','running','done','failed','cancelled','interrupted')),
  progress REAL NOT NULL DEFAULT 0,
  stage TEXT,
  error TEXT,
  target_id TEXT,
  params_json TEXT NOT NULL DEFAULT '{}',
  result_json TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  pid INTEGER
);
CREATE INDEX jobs_case ON jobs(case_id, created_at);

CREATE TABLE notes (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  evidence_id TEXT REFERENCES evidence(id),
  event_id TEXT,
  kind TEXT NOT NULL CHECK (kind IN ('note','bookmark')),
  frame INTEGER,
  time REAL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX notes_case ON notes(case_id);

-- Append-only and hash-chained: hash = SHA-256(prev_hash || canonical JSON of the row's content).
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  case_id TEXT,
  subject TEXT,
  details_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE analyses (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  evidence_id TEXT NOT NULL REFERENCES evidence(id),
  job_id TEXT REFERENCES jobs(id),
  state TEXT NOT NULL CHECK (state IN ('running','done','failed','cancelled','interrupted')),
  params_json TEXT NOT NULL,
  models_json TEXT NOT NULL DEFAULT '[]',
  reference_json TEXT NOT NULL DEFAULT '"self"',
  stats_json TEXT,
  engine_version TEXT NOT NULL,
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX analyses_evidence ON analyses(evidence_id, created_at);

CREATE TABLE frame_scores (
  analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
  frame INTEGER NOT NULL,
  time REAL NOT NULL,
  raw REAL NOT NULL,
  smoothed REAL NOT NULL,
  PRIMARY KEY (analysis_id, frame)
) WITHOUT ROWID;

CREATE TABLE tracks (
  analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
  track_id INTEGER NOT NULL,
  label TEXT NOT NULL,
  first_frame INTEGER NOT NULL,
  last_frame INTEGER NOT NULL,
  start_time REAL NOT NULL,
  end_time REAL NOT NULL,
  max_score REAL NOT NULL,
  mean_speed REAL NOT NULL,
  why_json TEXT NOT NULL,
  trajectory_json TEXT NOT NULL,
  PRIMARY KEY (analysis_id, track_id)
) WITHOUT ROWID;

CREATE TABLE observations (
  analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
  frame INTEGER NOT NULL,
  track_id INTEGER NOT NULL,
  time REAL NOT NULL,
  x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
  label TEXT NOT NULL,
  confidence REAL NOT NULL,
  score REAL NOT NULL,
  speed REAL NOT NULL,
  direction REAL,
  interpolated INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (analysis_id, frame, track_id)
) WITHOUT ROWID;

CREATE TABLE heatmaps (
  analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
  frame INTEGER NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (analysis_id, frame)
) WITHOUT ROWID;

CREATE TABLE events (
  id TEXT PRIMARY KEY,
  analysis_id TEXT NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
  case_id TEXT NOT NULL REFERENCES cases(id),
  evidence_id TEXT NOT NULL REFERENCES evidence(id),
  seq INTEGER NOT NULL,
  start_time REAL NOT NULL,
  end_time REAL NOT NULL,
  start_frame INTEGER NOT NULL,
  end_frame INTEGER NOT NULL,
  peak_frame INTEGER NOT NULL,
  peak_time REAL NOT NULL,
  peak_score REAL NOT NULL,
  confidence REAL NOT NULL,
  category TEXT,
  track_ids_json TEXT NOT NULL,
  top_attributes_json TEXT NOT NULL,
  trajectories_json TEXT NOT NULL,
  boxes_json TEXT NOT NULL,
  review_state TEXT NOT NULL DEFAULT 'unreviewed' CHECK (review_state IN ('unreviewed','confirmed','dismissed')),
  review_note TEXT NOT NULL DEFAULT '',
  reviewed_at TEXT,
  UNIQUE (analysis_id, seq)
);
CREATE INDEX events_evidence ON events(evidence_id);
`,
  },
  {
    version: 2,
    name: 'zones, user anomaly definitions, conversations, reports',
    sql: `
-- Named polygons on an evidence item's frame, in source pixels: [[x, y], ...].
CREATE TABLE zones (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  evidence_id TEXT NOT NULL REFERENCES evidence(id),
  name TEXT NOT NULL,
  polygon_json TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (evidence_id, name)
);

-- User-defined anomaly definitions (open categories): the text as written and the parsed rule.
CREATE TABLE definitions (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  text TEXT NOT NULL,
  rule_json TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  title TEXT NOT NULL,
  created_at TEXT NOT NULL
);

-- One row per turn. citations_json: [{evidenceId, startTime, endTime, frame?, trackIds?, boxes?}];
-- state_json: what the next turn needs to resolve references ("it", "the second one").
CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id),
  seq INTEGER NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('user','assistant')),
  text TEXT NOT NULL,
  citations_json TEXT NOT NULL DEFAULT '[]',
  refused INTEGER NOT NULL DEFAULT 0,
  state_json TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL,
  UNIQUE (conversation_id, seq)
);

CREATE TABLE reports (
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  pages INTEGER NOT NULL,
  options_json TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`,
  },
];

export const SCHEMA_VERSION = migrations[migrations.length - 1].version;
