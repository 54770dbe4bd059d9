/**
 * The folder an export goes to: checked quickly before anything is drawn (not a file, empty
 * unless overwriting, not on a special file system such as /proc), and created one level at a
 * time. Node's `mkdir({ recursive: true })` never returns for a path under /proc/self and keeps
 * a thread spinning, so recursive creation is not used anywhere here.
 */
import { lstat, mkdir, readdir, realpath, rm, stat, statfs } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { ApiError } from '../../../shared/api';
import { localText, type LocalText, type MessageKey } from '../../../shared/i18n';
import { processIsAlive } from '../processes';

/** An export is written into a folder of this name inside its target, then moved into place. */
export const STAGING_PREFIX = '.latent-lab-export-';

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
  'ELOOP',
  'ENOENT',
]);

/** A file-system error as a refusal whose text says what was being done (`key`, `vars`). */
export function fsError(e: unknown, key: MessageKey, vars: LocalText['vars'] = {}): ApiError {
  if (e instanceof ApiError) return e;
  const err = e as NodeJS.ErrnoException;
  return ApiError.of(
    err.code && userErrors.has(err.code) ? 'conflict' : 'internal',
    localText(key, { ...vars, reason: err.code ?? err.message }),
  );
}

/** Kernel and device file systems (statfs magic numbers, Linux): never a place for files. */
const specialFileSystems = new Set([
  0x9fa0, // proc
  0x62656572, // sysfs
  0x1cd1, // devpts
  0x64626720, // debugfs
  0x74726163, // tracefs
  0x73636673, // securityfs
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0xcafe4a11, // bpf
  0x6165676c, // pstore
  0x62656570, // configfs
  0x65735543, // fusectl
  0x19800202, // mqueue
  0x42494e4d, // binfmt_misc
]);
/** Where the kernel's own file systems live, whatever they are mounted as (/dev is tmpfs). */
const specialRoots = ['/proc', '/sys', '/dev'];

const under = (path: string, root: string) => path === root || path.startsWith(root + sep);

/** Refuses a folder (existing, real path) on a special file system. */
async function refuseSpecial(existing: string, target: string): Promise<void> {
  if (process.platform !== 'linux') return;
  const real = await realpath(existing).catch(() => existing);
  const type = await statfs(real)
    .then((s) => s.type)
    .catch(() => null);
  if (
    specialRoots.some((root) => under(real, root)) ||
    (type !== null && specialFileSystems.has(type))
  )
    throw ApiError.of('conflict', localText('export.specialFolder', { path: target, real }));
}

/** The nearest of `path` and its parents that exists (at most one look per path segment). */
async function nearestExisting(path: string) {
  for (let p = path; ; p = dirname(p)) {
    const info = await stat(p).catch((e: NodeJS.ErrnoException) => {
      // ENOTDIR: a file on the way up, found as the walk goes on.
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
      throw fsError(e, 'export.cannotUse', { path });
    });
    if (info) return { path: p, info };
    if (dirname(p) === p)
      throw ApiError.of('conflict', localText('export.cannotUse', { path, reason: 'ENOENT' }));
  }
}

/**
 * The staging folder an export of this process writes into, inside the target: named with the
 * process id, so a later export can tell one left by a killed process from one in use.
 */
export const stagingPrefix = (): string => `${STAGING_PREFIX}${process.pid}-`;

/**
 * Removes the staging folders of exports whose process has stopped (kill -9, a power cut) from
 * `root`. A folder named without a process id (an older app's) goes once it is an hour old.
 */
export async function removeStaleStaging(root: string): Promise<void> {
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const pid = /^(\d+)-/.exec(name.slice(STAGING_PREFIX.length))?.[1];
    const stale = pid
      ? !processIsAlive(Number(pid))
      : Date.now() - ((await lstat(join(root, name)).catch(() => null))?.mtimeMs ?? Date.now()) >
        60 * 60 * 1000;
    if (stale) await rm(join(root, name), { recursive: true, force: true }).catch(() => {});
  }
}

/** What is in a folder that counts: an earlier export's unfinished staging folder does not. */
async function ownEntries(root: string): Promise<string[]> {
  const inside = await readdir(root).catch((e: unknown) => {
    throw fsError(e, 'export.cannotReadFolder', { path: root });
  });
  return inside.filter((name) => !name.startsWith(STAGING_PREFIX));
}

/**
 * Refuses, before anything is drawn or written: a path that is a file, or under one; a folder
 * that is not empty (unless overwriting); anything on /proc, /sys, /dev or another kernel file
 * system. Creates nothing.
 */
export async function checkExportFolder(root: string, overwrite: boolean): Promise<void> {
  const existing = await nearestExisting(root);
  if (!existing.info.isDirectory())
    throw ApiError.of(
      'conflict',
      localText(existing.path === root ? 'export.notAFolder' : 'export.underAFile', {
        path: root,
        file: existing.path,
      }),
    );
  await refuseSpecial(existing.path, root);
  if (existing.path === root && !overwrite && (await ownEntries(root)).length > 0)
    throw ApiError.of('exists', localText('export.notEmpty', { path: root }));
}

/**
 * Creates `folder` and any missing parents, one `mkdir` per level, top down; an existing level
 * must be a folder (or the user's link to one).
 */
export async function makeFolder(folder: string): Promise<void> {
  const missing: string[] = [];
  for (let p = folder; ; p = dirname(p)) {
    const info = await lstat(p).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw fsError(e, 'export.cannotCreate', { path: folder });
    });
    if (info?.isDirectory()) break;
    if (info?.isSymbolicLink()) {
      // A link given as (part of) the path is the user's: follow it only to a folder.
      if ((await stat(p).catch(() => null))?.isDirectory()) break;
    }
    if (info)
      throw ApiError.of('conflict', localText('export.underAFile', { path: folder, file: p }));
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing.reverse())
    await mkdir(p).catch((e: unknown) => {
      throw fsError(e, 'export.cannotCreate', { path: folder });
    });
}
