import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, migrations } from '../../src/main/host/migrations';

const open: Database.Database[] = [];
function memoryDb(): Database.Database {
  const db = new Database(':memory:');
  open.push(db);
  return db;
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

const version = (db: Database.Database) => db.pragma('user_version', { simple: true }) as number;
const tables = (db: Database.Database) =>
  (
    db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as {
      name: string;
    }[]
  ).map((r) => r.name);
const columnsOf = (db: Database.Database, table: string) =>
  (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);

/** A test-local history: the second migration adds a column, as a later release would. */
const history = [
  `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);`,
  `ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;`,
];

describe('migrations', () => {
  it('bring a fresh database to the latest version with every table', () => {
    const db = memoryDb();
    expect(version(db)).toBe(0);
    expect(migrate(db)).toBe(migrations.length);
    expect(version(db)).toBe(migrations.length);
    expect(tables(db)).toEqual(
      expect.arrayContaining(['datasets', 'runs', 'metrics', 'artifacts']),
    );
    expect(columnsOf(db, 'metrics')).toEqual(['run_id', 'key', 'step', 'value', 'wall_ms']);
    // Applying again is a no-op.
    expect(migrate(db)).toBe(migrations.length);
    expect(version(db)).toBe(migrations.length);
  });

  it('7 gives every run, old ones included, an array of note texts', () => {
    const db = memoryDb();
    migrate(db, migrations.slice(0, 6));
    db.prepare(
      `INSERT INTO runs (name, algorithm, dataset_name, columns_json, params_json, seed, status,
         notes_json)
       VALUES ('old', 'gmm', '', '[]', '{}', 1, 'completed', '["an English note"]')`,
    ).run();
    expect(columnsOf(db, 'runs')).not.toContain('notes_text_json');
    migrate(db, migrations.slice(0, 7));
    expect(version(db)).toBe(7);
    expect(db.prepare(`SELECT notes_json, notes_text_json FROM runs`).get()).toEqual({
      notes_json: '["an English note"]',
      notes_text_json: '[]',
    });
  });

  it('upgrade an older database and keep its data', () => {
    const db = memoryDb();
    migrate(db, history.slice(0, 1));
    expect(version(db)).toBe(1);
    expect(columnsOf(db, 'notes')).toEqual(['id', 'body']);
    db.prepare(`INSERT INTO notes (body) VALUES (?), (?)`).run('first', 'second');

    migrate(db, history);
    expect(version(db)).toBe(2);
    expect(columnsOf(db, 'notes')).toEqual(['id', 'body', 'pinned']);
    expect(db.prepare(`SELECT id, body, pinned FROM notes ORDER BY id`).all()).toEqual([
      { id: 1, body: 'first', pinned: 0 },
      { id: 2, body: 'second', pinned: 0 },
    ]);
  });

  it('roll a failing migration back entirely', () => {
    const db = memoryDb();
    migrate(db, history.slice(0, 1));
    db.prepare(`INSERT INTO notes (body) VALUES ('kept')`).run();
    const broken = [
      history[0],
      // The first statement succeeds, the second fails: neither may remain.
      `CREATE TABLE tags (id INTEGER PRIMARY KEY); ALTER TABLE no_such_table ADD COLUMN x INTEGER;`,
    ];
    expect(() => migrate(db, broken)).toThrow(/no_such_table/);
    expect(version(db)).toBe(1);
    expect(tables(db)).not.toContain('tags');
    expect(db.prepare(`SELECT body FROM notes`).all()).toEqual([{ body: 'kept' }]);
    // A fixed release then migrates normally.
    migrate(db, history);
    expect(version(db)).toBe(2);
  });

  it('refuse a database newer than the app with a clear message', () => {
    const db = memoryDb();
    migrate(db, history);
    expect(() => migrate(db, history.slice(0, 1))).toThrow(
      /schema version 2, newer than this app knows \(1\)/,
    );
    expect(version(db)).toBe(2);
    expect(columnsOf(db, 'notes')).toContain('pinned');
  });
});
