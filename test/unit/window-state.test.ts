import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultWindowState,
  loadWindowState,
  saveWindowState,
} from '../../src/main/desktop/window-state';

const dir = mkdtempSync(join(tmpdir(), 'latent-lab-window-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const screen = [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }];

describe('window state', () => {
  it('round-trips through its file', () => {
    const file = join(dir, 'a', 'window-state.json');
    saveWindowState(file, { x: 10.4, y: 20, width: 900, height: 600 }, false);
    expect(loadWindowState(file, screen)).toEqual({
      x: 10,
      y: 20,
      width: 900,
      height: 600,
      maximized: false,
    });
  });

  it('gives the defaults for a missing, malformed or absurd file', () => {
    expect(loadWindowState(join(dir, 'none.json'), screen)).toEqual(defaultWindowState);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"width": 1000');
    expect(loadWindowState(bad, screen)).toEqual(defaultWindowState);
    writeFileSync(bad, JSON.stringify({ width: 5, height: 5 }));
    expect(loadWindowState(bad, screen)).toEqual(defaultWindowState);
  });

  it('keeps the size but drops a position on no display (a monitor unplugged)', () => {
    const file = join(dir, 'off.json');
    saveWindowState(file, { x: 3000, y: 100, width: 1000, height: 700 }, true);
    expect(loadWindowState(file, screen)).toEqual({ width: 1000, height: 700, maximized: true });
    // On a second display to the right, it stays.
    const two = [...screen, { workArea: { x: 1920, y: 0, width: 2560, height: 1440 } }];
    expect(loadWindowState(file, two)).toMatchObject({ x: 3000, y: 100 });
  });
});
