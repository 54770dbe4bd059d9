/**
 * The web shell's message framing: a value is sent as one binary WebSocket frame holding a JSON
 * header and, after it, the bytes of every typed array in the value (8-byte aligned). Typed
 * arrays therefore travel as binary, never as JSON lists of numbers. Electron IPC needs none of
 * this: its structured clone carries typed arrays as they are.
 *
 * Frame: [u32 header byte length][header JSON (UTF-8)][padding to 8][array bytes…]
 */
import type { ErrorCode } from './api';

const tags = { f32: Float32Array, f64: Float64Array, u8: Uint8Array, i32: Int32Array } as const;
type Tag = keyof typeof tags;

function tagOf(v: unknown): Tag | null {
  if (v instanceof Float32Array) return 'f32';
  if (v instanceof Float64Array) return 'f64';
  if (v instanceof Uint8Array) return 'u8';
  if (v instanceof Int32Array) return 'i32';
  return null;
}

const align8 = (n: number): number => (n + 7) & ~7;

export function encodeFrame(value: unknown): Uint8Array {
  const arrays: ArrayBufferView[] = [];
  let offset = 0;
  const json = JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    const tag = tagOf(v);
    if (!tag) return v;
    const view = v as ArrayBufferView;
    const ref = { $ta: tag, o: offset, n: view.byteLength };
    arrays.push(view);
    offset = align8(offset + view.byteLength);
    return ref;
  });
  const header = new TextEncoder().encode(json ?? 'null');
  const start = align8(4 + header.byteLength);
  const out = new Uint8Array(start + offset);
  new DataView(out.buffer).setUint32(0, header.byteLength, true);
  out.set(header, 4);
  let at = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at = align8(at + a.byteLength);
  }
  return out;
}

export function decodeFrame(frame: Uint8Array): unknown {
  if (frame.byteLength < 4) throw new Error('frame too short');
  const headerLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(
    0,
    true,
  );
  if (4 + headerLength > frame.byteLength) throw new Error('frame header overruns the frame');
  const json = new TextDecoder().decode(frame.subarray(4, 4 + headerLength));
  const start = align8(4 + headerLength);
  return JSON.parse(json, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || !('$ta' in v)) return v;
    const ref = v as { $ta: Tag; o: number; n: number };
    const Ctor = Object.prototype.hasOwnProperty.call(tags, ref.$ta) ? tags[ref.$ta] : undefined;
    if (
      !Ctor ||
      !Number.isSafeInteger(ref.o) ||
      !Number.isSafeInteger(ref.n) ||
      ref.o < 0 ||
      ref.n < 0 ||
      start + ref.o + ref.n > frame.byteLength ||
      ref.n % Ctor.BYTES_PER_ELEMENT !== 0
    )
      throw new Error('bad typed-array reference in frame');
    // Copy into a fresh buffer: the frame's bytes may not be aligned for this element size.
    const bytes = frame.slice(start + ref.o, start + ref.o + ref.n);
    return new Ctor(bytes.buffer, 0, ref.n / Ctor.BYTES_PER_ELEMENT);
  });
}

/** The envelopes both transports use, so an error keeps its code across the boundary. */
export type CallResult =
  { ok: true; value: unknown } | { ok: false; error: { code: ErrorCode; message: string } };

export type ClientMessage = { t: 'call'; id: number; name: string; input: unknown };
export type ServerMessage =
  ({ t: 'result'; id: number } & CallResult) | { t: 'event'; name: string; payload: unknown };
