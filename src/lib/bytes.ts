// Byte-level helpers: typed arrays from unaligned bytes in a given byte order (copying once, swapping
// in place when the order differs from the machine's), much faster than a DataView read per value.

export type NumericArrayCtor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Swaps the byte order of every `size`-byte word in place. */
export function swapBytes(b: Uint8Array, size: number): void {
  if (size <= 1) return;
  for (let i = 0; i + size <= b.length; i += size) {
    for (let j = 0; j < size >> 1; j++) {
      const t = b[i + j];
      b[i + j] = b[i + size - 1 - j];
      b[i + size - 1 - j] = t;
    }
  }
}

/** `count` values of type `ctor` read from `bytes` (little or big endian); always a fresh, compact array. */
export function typedFromBytes<C extends NumericArrayCtor>(bytes: Uint8Array, ctor: C, count: number, little: boolean): InstanceType<C> {
  const size = ctor.BYTES_PER_ELEMENT;
  const copy = bytes.slice(0, count * size);
  if (little !== HOST_LITTLE_ENDIAN) swapBytes(copy, size);
  return new ctor(copy.buffer, 0, count) as InstanceType<C>;
}

/** `count` 64-bit integers (no typed array of numbers holds them) read from `bytes` into float64 (exact up to 2^53). */
export function int64FromBytes(bytes: Uint8Array, count: number, signed: boolean, little: boolean): Float64Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = Number(signed ? dv.getBigInt64(i * 8, little) : dv.getBigUint64(i * 8, little));
  return out;
}

/** Joins chunks into one buffer of `length` bytes (the sum of their lengths). */
export function concatBytes(chunks: Uint8Array[], length = chunks.reduce((n, c) => n + c.byteLength, 0)): Uint8Array {
  const out = new Uint8Array(length);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.byteLength;
  }
  return out;
}
