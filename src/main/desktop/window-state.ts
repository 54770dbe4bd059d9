/**
 * The window's size and position, kept in a small JSON file in the user's data folder and read
 * back at the next launch. A file that is missing, unreadable or malformed gives the defaults; a
 * position on no display any more (a monitor unplugged) keeps the size and lets the system place it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Rectangle } from './electron-api';

const windowStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(400).max(20_000),
  height: z.number().int().min(300).max(20_000),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof windowStateSchema>;

export const defaultWindowState: WindowState = { width: 1280, height: 860, maximized: false };

/** At least this much of the window's top must be on a display for its position to be kept. */
const MIN_VISIBLE = 64;

function overlaps(a: Rectangle, b: Rectangle): boolean {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w >= MIN_VISIBLE && h >= MIN_VISIBLE;
}

export function loadWindowState(file: string, displays: { workArea: Rectangle }[]): WindowState {
  let state: WindowState;
  try {
    state = windowStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return { ...defaultWindowState };
  }
  const { x, y } = state;
  if (x === undefined || y === undefined) return state;
  // Only the title bar's strip matters: it is what the user drags the window back by.
  const titleBar = { x, y, width: state.width, height: MIN_VISIBLE };
  if (displays.some((d) => overlaps(titleBar, d.workArea))) return state;
  return { width: state.width, height: state.height, maximized: state.maximized };
}

/** Written to a temporary file and renamed, so a crash mid-write never leaves half a file. */
export function saveWindowState(file: string, bounds: Rectangle, maximized: boolean): void {
  const state: WindowState = {
    x: Math.round(bounds.x),
    y: Math.round(bounds.y),
    width: Math.max(400, Math.round(bounds.width)),
    height: Math.max(300, Math.round(bounds.height)),
    maximized,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(state) + '\n');
  renameSync(`${file}.tmp`, file);
}
