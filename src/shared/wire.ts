/**
 * The web shell's message framing: a value is sent as one binary WebSocket frame holding a JSON
 * header and, after it, the bytes of every typed array in the value (8-byte aligned). Typed
 * arrays therefore travel as binary, never as JSON lists of numbers. Electron IPC needs none of
 * this: its structured clone carries typed arrays as they are.
 *
 * Frame: [u32 header byte length][header JSON (UTF-8)][padding to 8][array bytes…]
 */
import { ApiError, type ErrorCode } from './api';
import { isMessageKey, translate, type Language, type LocalText } from './i18n';

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

type Path = (string | number)[];
interface ArrayRef {
  /** Where the array sits in the value. */
  p: Path;
  t: Tag;
  /** Byte offset after the header, and byte length. */
  o: number;
  n: number;
}

/**
 * A JSON-safe copy of `v` with every typed array taken out (left as null) and listed with its
 * path. The arrays travel out of band, so no value the user controls (a run's summary, say) can
 * pose as one.
 */
function extractArrays(
  v: unknown,
  path: Path,
  found: { path: Path; view: ArrayBufferView }[],
): unknown {
  if (tagOf(v)) {
    found.push({ path: [...path], view: v as ArrayBufferView });
    return null;
  }
  if (Array.isArray(v)) return v.map((x, i) => extractArrays(x, [...path, i], found));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      if (x !== undefined) out[k] = extractArrays(x, [...path, k], found);
    return out;
  }
  return v;
}

export function encodeFrame(value: unknown): Uint8Array {
  const found: { path: Path; view: ArrayBufferView }[] = [];
  const v = extractArrays(value, [], found);
  const refs: ArrayRef[] = [];
  let offset = 0;
  for (const { path, view } of found) {
    refs.push({ p: path, t: tagOf(view)!, o: offset, n: view.byteLength });
    offset = align8(offset + view.byteLength);
  }
  const header = new TextEncoder().encode(JSON.stringify({ v: v ?? null, a: refs }));
  const start = align8(4 + header.byteLength);
  const out = new Uint8Array(start + offset);
  new DataView(out.buffer).setUint32(0, header.byteLength, true);
  out.set(header, 4);
  found.forEach(({ view }, i) =>
    out.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), start + refs[i].o),
  );
  return out;
}

export function decodeFrame(frame: Uint8Array): unknown {
  if (frame.byteLength < 4) throw new Error('frame too short');
  const headerLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(
    0,
    true,
  );
  if (4 + headerLength > frame.byteLength) throw new Error('frame header overruns the frame');
  const header = JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + headerLength))) as {
    v?: unknown;
    a?: unknown;
  };
  if (header === null || typeof header !== 'object' || !Array.isArray(header.a))
    throw new Error('bad frame header');
  const start = align8(4 + headerLength);
  let root = header.v;
  for (const ref of header.a as ArrayRef[]) {
    const Ctor = Object.prototype.hasOwnProperty.call(tags, ref?.t) ? tags[ref.t] : undefined;
    if (
      !Ctor ||
      !Array.isArray(ref.p) ||
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
    const array = new Ctor(bytes.buffer, 0, ref.n / Ctor.BYTES_PER_ELEMENT);
    if (ref.p.length === 0) {
      root = array;
      continue;
    }
    let parent: unknown = root;
    for (const key of ref.p.slice(0, -1)) parent = childOf(parent, key);
    const last = ref.p[ref.p.length - 1];
    childOf(parent, last, true);
    (parent as Record<string | number, unknown>)[last] = array;
  }
  return root;
}

/** One step down a path inside a decoded header, refusing anything but own data slots. */
function childOf(parent: unknown, key: unknown, slotOnly = false): unknown {
  const ok =
    parent !== null &&
    typeof parent === 'object' &&
    (typeof key === 'number'
      ? Array.isArray(parent)
      : typeof key === 'string' && key !== '__proto__') &&
    Object.prototype.hasOwnProperty.call(parent, key as PropertyKey);
  if (!ok) throw new Error('bad typed-array path in frame');
  return slotOnly
    ? undefined
    : (parent as Record<string | number, unknown>)[key as string | number];
}

/** The envelopes both transports use, so an error keeps its code across the boundary. */
export type CallResult =
  | { ok: true; value: unknown }
  | { ok: false; error: { code: ErrorCode; message: string; text?: LocalText } };

/** An ApiError as it crosses the boundary (its text, when it has one, for the page's language). */
export const errorResult = (e: ApiError): CallResult => ({
  ok: false,
  error: { code: e.code, message: e.message, ...(e.text ? { text: e.text } : {}) },
});

/**
 * The page's error from a failed call: the message in the reader's language when it came with a
 * key this version knows, else the English one.
 */
export function errorFromResult(
  error: { code: ErrorCode; message: string; text?: LocalText },
  lang: Language,
): ApiError {
  const text = error.text && isMessageKey(error.text.key) ? error.text : undefined;
  return new ApiError(
    error.code,
    text ? translate(lang, text.key, text.vars) : error.message,
    text,
  );
}

export type ClientMessage = { t: 'call'; id: number; name: string; input: unknown };
export type ServerMessage =
  ({ t: 'result'; id: number } & CallResult) | { t: 'event'; name: string; payload: unknown };
