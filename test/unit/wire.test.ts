import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/shared/api';
import { localText } from '../../src/shared/i18n';
import { decodeFrame, encodeFrame, errorFromResult, errorResult } from '../../src/shared/wire';

/** Builds a frame by hand: [u32 header length][header][padding to 8][body]. */
function rawFrame(
  header: string,
  body: Uint8Array = new Uint8Array(0),
  declaredLength?: number,
): Uint8Array {
  const h = new TextEncoder().encode(header);
  const start = (4 + h.byteLength + 7) & ~7;
  const out = new Uint8Array(start + body.byteLength);
  new DataView(out.buffer).setUint32(0, declaredLength ?? h.byteLength, true);
  out.set(h, 4);
  out.set(body, start);
  return out;
}

describe('wire frames', () => {
  it('round-trip nested typed arrays, plain values and unicode', () => {
    const value = {
      t: 'result',
      id: 42,
      ok: true,
      value: {
        name: 'Old Faithful — 老忠实泉 🌋',
        f32: Float32Array.from([1.5, -2.25, 3.4028234663852886e38]),
        nested: {
          list: [Float64Array.from([0.1, 1 / 3, -0, 1e-300, NaN]), Uint8Array.from([0, 255, 7])],
          i32: Int32Array.from([-(2 ** 31), 2 ** 31 - 1, 0]),
        },
        empty: new Float64Array(0),
        nothing: null,
        flags: [true, false],
      },
    };
    const decoded = decodeFrame(encodeFrame(value)) as typeof value;
    expect(decoded.value.name).toBe('Old Faithful — 老忠实泉 🌋');
    expect(decoded.value.f32).toBeInstanceOf(Float32Array);
    expect(Array.from(decoded.value.f32)).toEqual(Array.from(value.value.f32));
    const [f64, u8] = decoded.value.nested.list as [Float64Array, Uint8Array];
    expect(f64).toBeInstanceOf(Float64Array);
    expect(Array.from(f64)).toEqual([0.1, 1 / 3, -0, 1e-300, NaN]);
    expect(Object.is(f64[2], -0)).toBe(true);
    expect(u8).toBeInstanceOf(Uint8Array);
    expect(Array.from(u8)).toEqual([0, 255, 7]);
    expect(decoded.value.nested.i32).toBeInstanceOf(Int32Array);
    expect(Array.from(decoded.value.nested.i32)).toEqual([-(2 ** 31), 2 ** 31 - 1, 0]);
    expect(decoded.value.empty).toBeInstanceOf(Float64Array);
    expect(decoded.value.empty.length).toBe(0);
    expect(decoded).toMatchObject({ t: 'result', id: 42, ok: true });
    expect(decoded.value.nothing).toBeNull();
    expect(decoded.value.flags).toEqual([true, false]);
  });

  it('carries typed arrays as binary, 8-byte aligned, not as JSON numbers', () => {
    // Odd lengths so that each array's end is not naturally aligned for the next.
    const a = Uint8Array.from([1, 2, 3]);
    const b = Float64Array.from([1.25, 2.5, 3.75]);
    const c = Float32Array.from([9, 8, 7, 6, 5]);
    const frame = encodeFrame({ a, b, c });
    const headerLength = new DataView(frame.buffer).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + headerLength))) as {
      a: { p: string[]; t: string; o: number; n: number }[];
    };
    const refB = header.a.find((r) => r.p[0] === 'b')!;
    expect(refB).toEqual({ p: ['b'], t: 'f64', o: 8, n: 24 });
    const start = (4 + headerLength + 7) & ~7;
    for (const ref of header.a) expect((start + ref.o) % 8).toBe(0);
    expect(new Float64Array(frame.buffer.slice(start + refB.o, start + refB.o + 24))).toEqual(b);
    // Each array, the last included, is padded to 8 bytes.
    expect(frame.byteLength).toBe(start + 8 + 24 + 24);
    expect(new TextDecoder().decode(frame.subarray(4, 4 + headerLength))).not.toContain('1.25');
  });

  it('never takes a value the user controls for a typed array', () => {
    // A run summary imported from a file could hold any object, this one included.
    const summary = { $ta: 'f64', o: 0, n: 8, p: ['x'], t: 'u8', a: [] };
    const value = { summary, values: Float64Array.from([1, 2]) };
    expect(decodeFrame(encodeFrame(value))).toEqual(value);
  });

  it('decodes a frame that sits at an odd offset inside a larger buffer', () => {
    const frame = encodeFrame({ v: Float64Array.from([Math.PI, Math.E]) });
    const big = new Uint8Array(frame.byteLength + 3);
    big.set(frame, 3);
    const decoded = decodeFrame(big.subarray(3)) as { v: Float64Array };
    expect(Array.from(decoded.v)).toEqual([Math.PI, Math.E]);
  });

  it('encodes views on part of a buffer without their neighbours', () => {
    const whole = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const decoded = decodeFrame(encodeFrame({ part: whole.subarray(2, 5) })) as {
      part: Float32Array;
    };
    expect(Array.from(decoded.part)).toEqual([3, 4, 5]);
  });

  it('round-trips top-level scalars', () => {
    expect(decodeFrame(encodeFrame('héllo'))).toBe('héllo');
    expect(decodeFrame(encodeFrame(3.5))).toBe(3.5);
    expect(decodeFrame(encodeFrame(null))).toBeNull();
    expect(decodeFrame(encodeFrame(undefined))).toBeNull();
  });

  it('rejects malformed frames', () => {
    expect(() => decodeFrame(new Uint8Array([1, 0]))).toThrow(/too short/);
    expect(() => decodeFrame(rawFrame('{}', new Uint8Array(0), 1000))).toThrow(/overruns/);
    expect(() => decodeFrame(rawFrame('{"a":'))).toThrow();
    const body = new Uint8Array(16);
    const bad = (ref: unknown) =>
      decodeFrame(rawFrame(JSON.stringify({ v: { x: null }, a: [ref] }), body));
    // Overruns the body.
    expect(() => bad({ p: ['x'], t: 'f64', o: 8, n: 16 })).toThrow(/bad typed-array/);
    // Not a multiple of the element size.
    expect(() => bad({ p: ['x'], t: 'f64', o: 0, n: 12 })).toThrow(/bad typed-array/);
    // Unknown tags, including ones that are properties of every object.
    expect(() => bad({ p: ['x'], t: 'i16', o: 0, n: 8 })).toThrow(/bad typed-array/);
    expect(() => bad({ p: ['x'], t: 'constructor', o: 0, n: 8 })).toThrow(/bad typed-array/);
    expect(() => bad({ p: ['x'], t: 'toString', o: 0, n: 8 })).toThrow(/bad typed-array/);
    // Negative, fractional or non-numeric offsets and lengths.
    expect(() => bad({ p: ['x'], t: 'u8', o: -1, n: 1 })).toThrow(/bad typed-array/);
    expect(() => bad({ p: ['x'], t: 'f64', o: 0, n: -8 })).toThrow(/bad typed-array/);
    expect(() => bad({ p: ['x'], t: 'u8', o: 0.5, n: 1 })).toThrow(/bad typed-array/);
    expect(() => bad({ p: ['x'], t: 'u8', o: '0', n: 4 })).toThrow(/bad typed-array/);
    expect(() => bad({ p: ['x'], t: 'u8', o: 0 })).toThrow(/bad typed-array/);
    // Paths that lead nowhere, or into the prototype.
    expect(() => bad({ p: ['y', 'z'], t: 'u8', o: 0, n: 8 })).toThrow(/bad typed-array path/);
    expect(() => bad({ p: ['__proto__'], t: 'u8', o: 0, n: 8 })).toThrow(/bad typed-array path/);
    // A well-formed reference into the same body decodes.
    expect(bad({ p: ['x'], t: 'u8', o: 8, n: 8 })).toEqual({ x: new Uint8Array(8) });
  });
});

describe('errors across the boundary', () => {
  it('carry their text, and arrive in the reader’s language', () => {
    const e = ApiError.of('bad-data', localText('csv.ragged', { line: 3, fields: 2, width: 3 }));
    expect(e.message).toBe('line 3 has 2 fields where the first row has 3');
    const result = errorResult(e);
    const back = decodeFrame(encodeFrame({ t: 'result', id: 1, ...result })) as typeof result;
    expect(back.ok).toBe(false);
    if (back.ok) return;
    expect(errorFromResult(back.error, 'zh').message).toBe('第 3 行有 2 个字段，而第一行有 3 个');
    expect(errorFromResult(back.error, 'en').message).toBe(e.message);
    expect(errorFromResult(back.error, 'zh').code).toBe('bad-data');
  });

  it('fall back to the English message without a text, or with a key this version lacks', () => {
    const plain = errorResult(new ApiError('internal', 'disk full'));
    expect(plain).toEqual({ ok: false, error: { code: 'internal', message: 'disk full' } });
    expect(errorFromResult({ code: 'internal', message: 'disk full' }, 'zh').message).toBe(
      'disk full',
    );
    const unknown = {
      code: 'bad-data' as const,
      message: 'newer words',
      text: { key: 'refuse.fromTheFuture' },
    };
    expect(errorFromResult(unknown as never, 'zh').message).toBe('newer words');
    // Only the table's own keys: not what every object inherits.
    const inherited = { ...unknown, text: { key: 'toString' } };
    expect(errorFromResult(inherited as never, 'zh').message).toBe('newer words');
  });
});
