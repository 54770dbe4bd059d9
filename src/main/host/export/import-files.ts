/**
 * The files of a folder being imported, read safely: only regular files of the folder itself
 * (never a symbolic link, which could hand over any readable file; never a FIFO or a device,
 * which would block a file-system thread for good), each at most a size fit for what it is.
 * A file is checked with `lstat`, opened without following links and without blocking, and
 * checked again once open (the same file, still regular), so it cannot be swapped in between.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { ApiError } from '../../../shared/api';
import { localText, type LocalText, type MessageKey } from '../../../shared/i18n';
import { pathInside } from './bundle';

const MiB = 1024 * 1024;

/** The most an import reads of each file (bytes): far above what an export writes. */
export function sizeLimitOf(name: string): number {
  if (name === 'metrics.csv') return 512 * MiB;
  // A sampler keeps at most 10 million values (checkSamplingSize): ~200 MB as text.
  if (name === 'draws.csv') return 256 * MiB;
  if (name.endsWith('.json')) return 64 * MiB;
  return 16 * MiB;
}

const badData = (key: MessageKey, vars?: LocalText['vars']) =>
  ApiError.of('bad-data', localText(key, vars));

// O_NOFOLLOW and O_NONBLOCK are POSIX; where they are missing (Windows) lstat's check stands.
const openFlags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Whether the folder has an entry of this name, of any kind (nothing is opened). */
export async function folderHas(root: string, name: string): Promise<boolean> {
  return (await lstat(pathInside(root, name)).catch(() => null)) !== null;
}

function refuseUnlessRegular(name: string, info: Stats): void {
  if (info.isSymbolicLink()) throw badData('import.symbolicLink', { file: name });
  if (!info.isFile()) throw badData('import.notRegularFile', { file: name });
  const max = sizeLimitOf(name);
  if (info.size > max)
    throw badData('import.fileTooBig', {
      file: name,
      size: info.size.toLocaleString('en'),
      max: max.toLocaleString('en'),
    });
}

/** A regular file of the folder opened for reading, or null when it has none of that name. */
async function openRegular(root: string, name: string): Promise<FileHandle | null> {
  const path = pathInside(root, name);
  const cannotRead = (e: unknown) =>
    badData('import.cannotRead', {
      file: name,
      reason: (e as NodeJS.ErrnoException).code ?? String(e),
    });
  let before: Stats;
  try {
    before = await lstat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw cannotRead(e);
  }
  refuseUnlessRegular(name, before);
  let file: FileHandle;
  try {
    file = await open(path, openFlags);
  } catch (e) {
    // ELOOP: a link put there since the lstat.
    if ((e as NodeJS.ErrnoException).code === 'ELOOP')
      throw badData('import.symbolicLink', { file: name });
    throw cannotRead(e);
  }
  try {
    const now = await file.stat();
    refuseUnlessRegular(name, now);
    if (now.ino !== before.ino || now.dev !== before.dev)
      throw badData('import.cannotRead', { file: name, reason: 'replaced while opened' });
    return file;
  } catch (e) {
    await file.close();
    throw e;
  }
}

/** Reads from an open file a chunk at a time, refusing it once it passes its size limit. */
async function* chunks(file: FileHandle, name: string, size = MiB): AsyncGenerator<Buffer> {
  const max = sizeLimitOf(name);
  const buffer = Buffer.alloc(size);
  let total = 0;
  for (;;) {
    const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) return;
    total += bytesRead;
    // A file that grows while read (or a size the file system does not report) is still capped.
    if (total > max)
      throw badData('import.fileTooBig', {
        file: name,
        size: `> ${max.toLocaleString('en')}`,
        max: max.toLocaleString('en'),
      });
    yield buffer.subarray(0, bytesRead);
  }
}

/** A regular file's text, or null when the folder has no file of that name (unless required). */
export async function readRegularText(
  root: string,
  name: string,
  required: boolean,
): Promise<string | null> {
  const file = await openRegular(root, name);
  if (!file) {
    if (required) throw badData('import.cannotRead', { file: name, reason: 'ENOENT' });
    return null;
  }
  try {
    const parts: Buffer[] = [];
    for await (const chunk of chunks(file, name)) parts.push(Buffer.from(chunk));
    return Buffer.concat(parts).toString('utf8');
  } finally {
    await file.close();
  }
}

/** Bytes read at a time for lines: a piece's lines are handled before the event loop turns. */
const LINES_PIECE = 256 * 1024;

/**
 * A regular file's lines (without their line breaks), a piece's worth at a time: each piece is
 * read from the disk, so the event loop turns between pieces (a line at a time would pass through
 * microtasks only, holding the thread for a whole file). A line longer than `maxLineChars` is
 * refused as soon as it is seen.
 */
export async function* regularFileLines(
  root: string,
  name: string,
  maxLineChars: number,
): AsyncGenerator<string[]> {
  const file = await openRegular(root, name);
  if (!file) throw badData('import.cannotRead', { file: name, reason: 'ENOENT' });
  try {
    const decoder = new TextDecoder();
    let rest = '';
    let line = 0;
    for await (const chunk of chunks(file, name, LINES_PIECE)) {
      const text = rest + decoder.decode(chunk, { stream: true });
      const lines = text.split('\n');
      rest = lines.pop()!;
      line += lines.length;
      if (rest.length > maxLineChars)
        throw badData('import.lineTooLong', { file: name, line: line + 1, max: maxLineChars });
      yield lines;
    }
    rest += decoder.decode();
    if (rest !== '') yield [rest];
  } finally {
    await file.close();
  }
}
