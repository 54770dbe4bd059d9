/**
 * Numbered schema migrations. `PRAGMA user_version` holds the number of the last one applied;
 * each is applied in its own transaction together with the version bump, so a failure leaves the
 * database at the previous version. Never edit a migration that has shipped: add the next one.
 */
import type Database from 'better-sqlite3';

export const migrations: readonly string[] = [
  // 1: datasets, runs, metrics, artifacts.
  `
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    rows INTEGER NOT NULL,
    columns_json TEXT NOT NULL,
    builtin INTEGER NOT NULL DEFAULT 0,
    hash TEXT NOT NULL,
    -- row-major float64 values, rows × columns
    data BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  );
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
    dataset_name TEXT NOT NULL,
    columns_json TEXT NOT NULL,
    params_json TEXT NOT NULL,
    seed INTEGER NOT NULL,
    backend TEXT,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    error TEXT,
    notes_json TEXT NOT NULL DEFAULT '[]',
    summary_json TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    started_at TEXT,
    finished_at TEXT
  );
  CREATE INDEX runs_by_status ON runs(status);
  CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    step INTEGER NOT NULL,
    value REAL,
    wall_ms REAL NOT NULL,
    PRIMARY KEY (run_id, key, step)
  ) WITHOUT ROWID;
  CREATE TABLE artifacts (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    kind TEXT NOT NULL,
    meta_json TEXT NOT NULL,
    data_type TEXT,
    data BLOB
  );
  CREATE INDEX artifacts_by_run ON artifacts(run_id, kind, step);
  `,
  // 2: step mode — where a paused (or stepping) run stands.
  `ALTER TABLE runs ADD COLUMN phase_json TEXT;`,
  // 3: the run library — the user's tags and note on a run.
  `ALTER TABLE runs ADD COLUMN tags_json TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE runs ADD COLUMN note TEXT NOT NULL DEFAULT '';`,
  // 4: which process runs a run, so a second process (the CLI beside the app) can tell a run
  // that is alive elsewhere from one left behind by a process that died.
  `ALTER TABLE runs ADD COLUMN host_pid INTEGER;`,
  // 5: image data sets. `dtype` says how `data` is encoded: 'f64' (every set before this one, and
  // tables still) is row-major float64 rows × columns; 'u8' is row-major uint8 pixels, rows ×
  // (width × height × channels), a pixel's value in [0, 1] being byte / 255 — 8× smaller than
  // float64, so the 10,000 bundled digits take 7.8 MB, not 63. `image_json` holds
  // {width, height, channels} for an image set (NULL for a table); `labels` one int32 (little
  // endian) class label per row, or NULL.
  `ALTER TABLE datasets ADD COLUMN dtype TEXT NOT NULL DEFAULT 'f64' CHECK (dtype IN ('f64', 'u8'));
   ALTER TABLE datasets ADD COLUMN image_json TEXT;
   ALTER TABLE datasets ADD COLUMN labels BLOB;`,
  // 6: a failed run's error as a translatable text ({key, vars} JSON, see LocalText) beside
  // `error` (English), so the page can show it in its language.
  `ALTER TABLE runs ADD COLUMN error_text_json TEXT;`,
  // 7: each of a run's notes as a translatable text beside `notes_json` (English): a JSON array
  // parallel to it, an entry {key, vars} or null (a note with no text). Older runs' notes have
  // none: the array is shorter than the notes, read as null.
  `ALTER TABLE runs ADD COLUMN notes_text_json TEXT NOT NULL DEFAULT '[]';`,
  // 8: a table's labels: a text (or integer) column kept beside the values, not learnt from, e.g.
  // to colour a scatter or score clusters. `labels` holds one int32 code per row (−1: missing), and
  // `label_json` {column, names} the column's name and the text of each code. NULL for image sets,
  // whose `labels` are the class numbers themselves.
  `ALTER TABLE datasets ADD COLUMN label_json TEXT;`,
  // 9: a big table's values in a file of their own (raw float64, row-major) in the folder named
  // after the database (`<file>-values`, see Store), named here; its `data` is then empty. SQLite's write-ahead log
  // writes every page twice (the log, then the database): 80 MB of values cost ~0.5 s there
  // against ~0.2 s written once. Small tables and image sets stay in `data`.
  `ALTER TABLE datasets ADD COLUMN data_file TEXT;`,
  // 10: a run being imported is stored in pieces (millions of metric points would hold the
  // host's thread in one transaction); until the last piece it is `importing` and no listing
  // shows it. One left so by a process that stopped is removed by the next to open the file.
  `ALTER TABLE runs ADD COLUMN importing INTEGER NOT NULL DEFAULT 0;`,
  // 11: the stage a running run is in and the clock of its pace ({name, fraction, since, …} JSON,
  // see RunStage), so the page tells the time left of each stage by its own pace.
  `ALTER TABLE runs ADD COLUMN stage_json TEXT;`,
];

export function migrate(db: Database.Database, list: readonly string[] = migrations): number {
  // IMMEDIATE takes the write lock before reading the version: two processes opening a new
  // database at once (app and CLI) cannot both apply the same migration.
  for (;;) {
    const applied = db
      .transaction(() => {
        const current = db.pragma('user_version', { simple: true }) as number;
        if (current > list.length)
          throw new Error(
            `the database is at schema version ${current}, newer than this app knows (${list.length}); update Latent Lab`,
          );
        if (current === list.length) return false;
        db.exec(list[current]);
        db.pragma(`user_version = ${current + 1}`);
        return true;
      })
      .immediate();
    if (!applied) return list.length;
  }
}
