/**
 * A file sent in chunks (the web shell's way): written to disk as it comes, read like a path,
 * refused when chunks come out of order or past its size, and gone once imported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestHost, type TestHost, refusal } from './helpers';

let tmp: TestHost;
beforeAll(async () => {
  tmp = await openTestHost('uploads', { maxWorkers: 1 });
});
afterAll(() => tmp.close());

describe('uploads', () => {
  it('takes a GBK file in chunks, previews and imports it, then lets it go', async () => {
    const host = tmp.host;
    const bytes = readFileSync(join(import.meta.dirname, '../fixtures/data/gbk-chinese.csv'));
    const { id } = await host.call('uploads.begin', { size: bytes.length });
    const third = Math.ceil(bytes.length / 3);
    for (let offset = 0; offset < bytes.length; offset += third) {
      // A chunk may end inside a two-byte character: the decoder joins it with the next.
      const data = new Uint8Array(bytes.subarray(offset, offset + third));
      await host.call('uploads.chunk', { id, offset, data });
    }
    const p = await host.call('datasets.preview', { source: { kind: 'upload', id } });
    expect(p).toMatchObject({ encoding: 'gb18030', rowCount: 60 });
    expect(p.columns[0].name).toBe('身高（厘米）');
    const folder = join(tmp.dir, 'uploads');
    expect(readdirSync(folder).flatMap((d) => readdirSync(join(folder, d)))).toEqual([id]);

    const { dataset } = await host.call('datasets.import', {
      source: { kind: 'upload', id },
      name: 'gbk',
    });
    expect(dataset.rows).toBe(60);
    expect(readdirSync(folder).flatMap((d) => readdirSync(join(folder, d)))).toEqual([]);
    const gone = await refusal(host.call('datasets.preview', { source: { kind: 'upload', id } }));
    expect(gone.message).toMatch(/no longer kept/);
  });

  it('lets an upload go once a preview of it (read again, even) is imported', async () => {
    const host = tmp.host;
    const data = new TextEncoder().encode('x;y\n1,5;2\n3;4\n');
    const { id } = await host.call('uploads.begin', { size: data.length });
    await host.call('uploads.chunk', { id, offset: 0, data });
    const first = await host.call('datasets.preview', { source: { kind: 'upload', id } });
    expect(first.decimal).toBe(',');
    const again = await host.call('datasets.preview', {
      source: { kind: 'preview', id: first.previewId },
      read: { delimiter: ';', decimal: '.' },
    });
    expect(again.columns[0].type).toBe('text');
    // The reading it replaced is let go.
    const gone = await refusal(
      host.call('datasets.import', {
        source: { kind: 'preview', id: first.previewId },
        name: 'old',
      }),
    );
    expect(gone.message).toMatch(/no longer kept/);
    const { dataset } = await host.call('datasets.import', {
      source: { kind: 'preview', id: again.previewId },
      name: 'semicolons',
    });
    expect(dataset.columns.map((c) => c.name)).toEqual(['y']);
    const folder = join(tmp.dir, 'uploads');
    expect(readdirSync(folder).flatMap((d) => readdirSync(join(folder, d)))).toEqual([]);
  });

  it('refuses chunks out of order or past the size, and a file not sent whole', async () => {
    const host = tmp.host;
    const { id } = await host.call('uploads.begin', { size: 4 });
    const skipped = await refusal(
      host.call('uploads.chunk', { id, offset: 2, data: new Uint8Array([1, 2]) }),
    );
    expect(skipped.message).toMatch(/out of order \(at byte 2, expected 0\)/);
    await host.call('uploads.chunk', { id, offset: 0, data: new Uint8Array([0x78, 10]) });
    const half = await refusal(host.call('datasets.preview', { source: { kind: 'upload', id } }));
    expect(half.message).toMatch(/not been sent whole \(2 of 4 bytes\)/);
    const tooLong = await refusal(
      host.call('uploads.chunk', { id, offset: 2, data: new Uint8Array([1, 2, 3]) }),
    );
    expect(tooLong.message).toMatch(/more bytes came than the file’s 4/);
    const big = await refusal(host.call('uploads.begin', { size: 5 * 1024 ** 3 }));
    expect(big.code).toBe('invalid-input');
  });
});
