/**
 * Files sent in chunks (the web shell's way to hand the host a file: a browser page has no path).
 * Each upload is a file in its own folder under the data folder, written chunk by chunk in order,
 * so a 1 GB CSV never sits in memory. An upload is let go after its import, or 30 minutes after
 * its last chunk. Each host has its own folder (the app and the CLI may share a data folder) and
 * removes it on closing; folders left by a crash are removed by the next host after a day.
 */
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  promises as fs,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { localText } from '../../shared/i18n';
import { CsvError } from './table-scan';

const LIFETIME_MS = 30 * 60 * 1000;
const STALE_MS = 24 * 60 * 60 * 1000;

interface Upload {
  path: string;
  size: number;
  received: number;
  expiry: ReturnType<typeof setTimeout>;
  /** The chunk being written: the next waits for it. */
  writing: Promise<void>;
}

export class Uploads {
  private readonly uploads = new Map<string, Upload>();
  /** Made at the first upload: a CLI command never sends one. */
  private dir: string | null = null;

  constructor(private readonly parent: string) {}

  async begin(size: number): Promise<string> {
    const id = randomUUID();
    const path = join(this.folder(), id);
    await fs.writeFile(path, new Uint8Array(0));
    this.uploads.set(id, {
      path,
      size,
      received: 0,
      expiry: this.timer(id),
      writing: Promise.resolve(),
    });
    return id;
  }

  private folder(): string {
    if (this.dir && existsSync(this.dir)) return this.dir;
    mkdirSync(this.parent, { recursive: true });
    for (const name of readdirSync(this.parent)) {
      const old = join(this.parent, name);
      try {
        if (Date.now() - statSync(old).mtimeMs > STALE_MS)
          rmSync(old, { recursive: true, force: true });
      } catch {
        // Gone already: its host closed meanwhile.
      }
    }
    this.dir = mkdtempSync(join(this.parent, 'host-'));
    return this.dir;
  }

  /** Appends a chunk; chunks must come in order (`offset` is the bytes received so far). */
  async chunk(id: string, offset: number, data: Uint8Array): Promise<number> {
    const u = this.get(id);
    const write = u.writing.then(async () => {
      if (offset !== u.received)
        throw new CsvError(localText('upload.outOfOrder', { offset, received: u.received }));
      if (u.received + data.length > u.size)
        throw new CsvError(localText('upload.tooLong', { size: u.size }));
      await fs.appendFile(u.path, data);
      u.received += data.length;
      clearTimeout(u.expiry);
      u.expiry = this.timer(id);
    });
    u.writing = write.catch(() => undefined);
    await write;
    return u.received;
  }

  /** The file of a finished upload. */
  pathOf(id: string): string {
    const u = this.get(id);
    if (u.received !== u.size)
      throw new CsvError(localText('upload.incomplete', { received: u.received, size: u.size }));
    return u.path;
  }

  /** Still in use (a preview reads it again): 30 more minutes. */
  touch(id: string): void {
    const u = this.uploads.get(id);
    if (!u) return;
    clearTimeout(u.expiry);
    u.expiry = this.timer(id);
  }

  forget(id: string): void {
    const u = this.uploads.get(id);
    if (!u) return;
    clearTimeout(u.expiry);
    this.uploads.delete(id);
    rmSync(u.path, { force: true });
  }

  close(): void {
    for (const id of [...this.uploads.keys()]) this.forget(id);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private get(id: string): Upload {
    const u = this.uploads.get(id);
    if (!u) throw new CsvError(localText('upload.gone'));
    return u;
  }

  private timer(id: string) {
    const t = setTimeout(() => this.forget(id), LIFETIME_MS);
    t.unref();
    return t;
  }
}
