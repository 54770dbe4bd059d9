/**
 * A chosen file as a source the host can read, without its text ever being held by the page: the
 * desktop app hands over its path (the preload bridge knows it); the web shell sends its bytes in
 * chunks (`uploads.chunk`), which the host writes to disk as they come.
 */
import { UPLOAD_CHUNK_BYTES, type Api, type CsvSource } from '../../shared/api';

interface PathBridge {
  pathOf?(file: File): string;
}

export async function sendFile(
  api: Api,
  file: File,
  onProgress?: (fraction: number) => void,
): Promise<CsvSource> {
  const bridge = (window as unknown as { latentLab?: PathBridge }).latentLab;
  const path = bridge?.pathOf?.(file);
  if (path) return { kind: 'path', path };
  const { id } = await api.call('uploads.begin', { size: file.size });
  let offset = 0;
  while (offset < file.size) {
    const data = new Uint8Array(
      await file.slice(offset, offset + UPLOAD_CHUNK_BYTES).arrayBuffer(),
    );
    await api.call('uploads.chunk', { id, offset, data });
    offset += data.length;
    onProgress?.(offset / Math.max(1, file.size));
  }
  return { kind: 'upload', id };
}
