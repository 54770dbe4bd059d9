/**
 * Writing a built export: to a folder, or into a zip. Both hold exactly the same files, and
 * both take a long file (metrics.csv, draws.csv) a chunk at a time.
 *
 * A folder export is written into a staging folder inside the target first, then each file is
 * renamed into place, `params.json` and `comparison.json` last (and an earlier export's removed
 * first when overwriting). So an export stopped at any point — by an error, or by kill -9 —
 * leaves nothing importable, and a file already there (a hard link to one elsewhere, a symbolic
 * link) is replaced, never written through.
 */
import { lstat, mkdtemp, open, realpath, rename, rm, unlink } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { crc32, createDeflateRaw } from 'node:zlib';
import {
  Zip,
  ZipPassThrough,
  strToU8,
  type AsyncFlateStreamHandler,
  type ZipInputFile,
} from 'fflate';
import { ApiError, type ExportResult } from '../../../shared/api';
import { localText } from '../../../shared/i18n';
import { isInside, pathInside, type Entry } from './bundle';
import {
  checkExportFolder,
  fsError,
  makeFolder,
  removeStaleStaging,
  stagingPrefix,
} from './target-folder';

/** The files that make a folder importable: moved into place last, removed first. */
const markers = new Set(['params.json', 'comparison.json']);
const isMarker = (path: string) => markers.has(basename(path));

/** Entries in the order they are written: markers last. */
const writeOrder = (entries: Entry[]) => [
  ...entries.filter((e) => !isMarker(e.path)),
  ...entries.filter((e) => isMarker(e.path)),
];

/** An entry's content as byte chunks (a long file's made as they are asked for). */
function* chunksOf(entry: Entry): Generator<Uint8Array> {
  const data = entry.data;
  if (typeof data === 'string') yield strToU8(data);
  else if (data instanceof Uint8Array) yield data;
  else for (const chunk of data.chunks()) yield typeof chunk === 'string' ? strToU8(chunk) : chunk;
}

/** Writes one file that must not exist yet (`wx`: never through a link or into another file). */
async function writeNewFile(path: string, entry: Entry): Promise<void> {
  const file = await open(path, 'wx');
  try {
    for (const chunk of chunksOf(entry)) await file.write(chunk);
  } finally {
    await file.close();
  }
}

/** Refuses a target that a link already in the folder would carry outside it. */
async function refuseLinksOutside(root: string, targets: string[]): Promise<void> {
  const realRoot = await realpath(root);
  for (const folder of new Set(targets.map((target) => resolve(target, '..')))) {
    const real = await realpath(folder).catch(() => null);
    if (real !== null && !isInside(realRoot, real))
      throw ApiError.of(
        'conflict',
        localText('export.linkOutside', { path: root, link: relative(root, folder) }),
      );
  }
  for (const [i, target] of targets.entries())
    if ((await lstat(target).catch(() => null))?.isDirectory())
      throw ApiError.of(
        'conflict',
        localText('export.folderInTheWay', { file: relative(root, targets[i]), path: root }),
      );
}

/** Writes the files into `dir` (see the file's comment), refusing any that would land outside it. */
export async function writeEntries(
  dir: string,
  entries: Entry[],
  overwrite: boolean,
): Promise<ExportResult> {
  const root = resolve(dir);
  // Every path is checked before the first byte is written.
  const targets = new Map(entries.map((e) => [e.path, pathInside(root, e.path)]));
  await checkExportFolder(root, overwrite);
  await makeFolder(root);
  await refuseLinksOutside(root, [...targets.values()]);

  await removeStaleStaging(root);
  const staging = await mkdtemp(join(root, stagingPrefix())).catch((e: unknown) => {
    throw fsError(e, 'export.cannotCreate', { path: root });
  });
  const ordered = writeOrder(entries);
  const moved: string[] = [];
  try {
    try {
      for (const entry of ordered) {
        const staged = pathInside(staging, entry.path);
        await makeFolder(resolve(staged, '..'));
        await writeNewFile(staged, entry);
      }
    } catch (e) {
      const err = fsError(e, 'export.writeFailed');
      throw ApiError.of(
        err.code,
        localText('export.nothingWritten', { path: root, reason: err.message }),
      );
    }
    // Into place. An earlier export's markers go first, so the folder is never importable with
    // some files of each.
    if (overwrite)
      for (const entry of ordered.filter((e) => isMarker(e.path)))
        await unlink(targets.get(entry.path)!).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw fsError(e, 'export.writeFailed');
        });
    for (const entry of ordered) {
      const target = targets.get(entry.path)!;
      await makeFolder(resolve(target, '..'));
      await refuseLinksOutside(root, [target]);
      await rename(pathInside(staging, entry.path), target);
      moved.push(entry.path);
    }
  } catch (e) {
    if (moved.length === 0 && e instanceof ApiError) throw e;
    const err = fsError(e, 'export.writeFailed');
    const progress = { path: root, n: moved.length, total: entries.length, reason: err.message };
    throw ApiError.of(
      err.code,
      moved.length
        ? localText('export.stoppedAfter', { ...progress, written: moved.join(', ') })
        : localText('export.stoppedAtStart', progress),
    );
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => {});
  }
  return { dir: root, files: entries.map((e) => e.path).sort() };
}

/**
 * A file of a zip compressed by Node's zlib (native, on libuv's threads) rather than fflate's
 * JavaScript deflate: a long metrics.csv compresses several times faster, off the main thread.
 * fflate's `Zip` frames it (local header, data descriptor, central directory).
 */
class NativeZipDeflate implements ZipInputFile {
  readonly compression = 8;
  readonly flag = 0; // level 6 is "normal" compression
  crc = 0;
  size = 0;
  ondata: AsyncFlateStreamHandler = () => {};
  private readonly deflate = createDeflateRaw({ level: 6 });
  private readonly ended: Promise<void>;

  constructor(readonly filename: string) {
    this.deflate.on('data', (piece: Buffer) =>
      this.ondata(
        null,
        new Uint8Array(piece.buffer as ArrayBuffer, piece.byteOffset, piece.length),
        false,
      ),
    );
    this.ended = new Promise((resolve, reject) => {
      this.deflate.on('end', resolve);
      this.deflate.on('error', reject);
    });
  }

  /** Compresses a chunk; resolves once zlib has taken it (back-pressure). */
  push(chunk: Uint8Array): Promise<void> {
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
    return new Promise((resolve, reject) =>
      this.deflate.write(chunk, (err) => (err ? reject(err) : resolve())),
    );
  }

  async end(): Promise<void> {
    this.deflate.end();
    await this.ended;
    this.ondata(null, new Uint8Array(0), true);
  }
}

/** Where a zip goes a piece at a time (awaited: a slow reader slows the writing). */
export type ZipSink = (piece: Uint8Array) => void | Promise<void>;

/**
 * The files as a zip, handed to `sink` a piece at a time (PNGs stored as they are: they are
 * compressed already). Between pieces the event loop turns, so other requests are answered
 * while a long file is compressed.
 */
export async function writeZip(entries: Entry[], sink: ZipSink): Promise<void> {
  const pending: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, piece) => {
    if (err) failure = err;
    else pending.push(piece);
  });
  const drain = async () => {
    if (failure) throw failure;
    while (pending.length) await sink(pending.shift()!);
  };
  for (const entry of entries) {
    if (entry.path.endsWith('.png')) {
      const file = new ZipPassThrough(entry.path);
      zip.add(file);
      for (const chunk of chunksOf(entry)) file.push(chunk);
      file.push(new Uint8Array(0), true);
    } else {
      const file = new NativeZipDeflate(entry.path);
      zip.add(file);
      for (const chunk of chunksOf(entry)) {
        await file.push(chunk);
        await drain();
      }
      await file.end();
    }
    await drain();
  }
  zip.end();
  await drain();
}
