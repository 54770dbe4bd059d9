/**
 * Writing a built export: to a folder (checked whole before the first byte is written, links
 * included) or into a zip. Both hold exactly the same files.
 */
import { lstat, mkdir, readdir, realpath, stat, unlink, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { ApiError, type ExportResult } from '../../../shared/api';
import { localText, type LocalText, type MessageKey } from '../../../shared/i18n';
import { isInside, pathInside, type Entry } from './bundle';

/** File-system refusals that are the folder's fault, not the app's. */
const userErrors = new Set([
  'EACCES',
  'EPERM',
  'EROFS',
  'ENOTDIR',
  'EISDIR',
  'EEXIST',
  'ENAMETOOLONG',
  'ENOSPC',
]);

/** A file-system error as a refusal whose text says what was being done (`key`, `vars`). */
function fsError(e: unknown, key: MessageKey, vars: LocalText['vars'] = {}): ApiError {
  if (e instanceof ApiError) return e;
  const err = e as NodeJS.ErrnoException;
  return ApiError.of(
    err.code && userErrors.has(err.code) ? 'conflict' : 'internal',
    localText(key, { ...vars, reason: err.code ?? err.message }),
  );
}

/** Refuses a folder that is a file, or is not empty (unless overwriting); creates it if asked. */
export async function prepareFolder(
  root: string,
  overwrite: boolean,
  create: boolean,
): Promise<void> {
  let info;
  try {
    info = await stat(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw fsError(e, 'export.cannotUse', { path: root });
  }
  if (info) {
    if (!info.isDirectory())
      throw ApiError.of('conflict', localText('export.notAFolder', { path: root }));
    const inside = await readdir(root).catch((e: unknown) => {
      throw fsError(e, 'export.cannotReadFolder', { path: root });
    });
    if (inside.length > 0 && !overwrite)
      throw ApiError.of('exists', localText('export.notEmpty', { path: root }));
  } else if (create) {
    await mkdir(root, { recursive: true }).catch((e: unknown) => {
      throw fsError(e, 'export.cannotCreate', { path: root });
    });
  }
}

/** Writes the files into `dir`, refusing any that would land outside it (also through a link). */
export async function writeEntries(
  dir: string,
  entries: Entry[],
  overwrite: boolean,
): Promise<ExportResult> {
  const root = resolve(dir);
  // Every path is checked before the first byte is written.
  const targets = entries.map((e) => pathInside(root, e.path));
  await prepareFolder(root, overwrite, true);
  const realRoot = await realpath(root);
  // A symbolic link already in the folder must not carry a write outside it: checked for every
  // folder before the first file is written, and again as each file is written.
  const leadsOutside = async (folder: string): Promise<boolean> => {
    const real = await realpath(folder).catch(() => null);
    return real !== null && !isInside(realRoot, real);
  };
  for (const folder of new Set(targets.map((target) => resolve(target, '..'))))
    if (await leadsOutside(folder))
      throw ApiError.of(
        'conflict',
        localText('export.linkOutside', { path: root, link: relative(root, folder) }),
      );
  const written: string[] = [];
  try {
    for (const [i, entry] of entries.entries()) {
      const target = targets[i];
      const parent = resolve(target, '..');
      await mkdir(parent, { recursive: true });
      if (await leadsOutside(parent))
        throw ApiError.of(
          'conflict',
          localText('export.fileLeadsOutside', { file: entry.path, path: root }),
        );
      const existing = await lstat(target).catch(() => null);
      if (existing?.isSymbolicLink()) await unlink(target);
      else if (existing?.isDirectory())
        throw ApiError.of('conflict', localText('export.folderInTheWay', { file: entry.path }));
      await writeFile(target, entry.data);
      written.push(entry.path);
    }
  } catch (e) {
    const err = fsError(e, 'export.writeFailed');
    const progress = { path: root, n: written.length, total: entries.length, reason: err.message };
    throw ApiError.of(
      err.code,
      written.length
        ? localText('export.stoppedAfter', { ...progress, written: written.join(', ') })
        : localText('export.stoppedAtStart', progress),
    );
  }
  return { dir: root, files: entries.map((e) => e.path).sort() };
}

/** The files as one zip (PNGs stored as they are: they are compressed already). */
export function zipEntries(entries: Entry[]): Uint8Array {
  const files: Zippable = {};
  for (const e of entries)
    files[e.path] = [
      typeof e.data === 'string' ? strToU8(e.data) : e.data,
      { level: e.path.endsWith('.png') ? 0 : 6 },
    ];
  return zipSync(files);
}
