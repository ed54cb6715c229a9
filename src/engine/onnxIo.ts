// The inputs and outputs of an ONNX graph (names, element types, shapes) read straight from the model's
// protobuf bytes, without an ONNX runtime: ModelProto.graph (7) -> GraphProto.input (11) / output (12) ->
// ValueInfoProto name (1), type (2) -> TypeProto.tensor_type (1) -> elem_type (1), shape (2) -> dim (1) ->
// dim_value (1) | dim_param (2). Everything else (initializers, nodes) is skipped by its length, so a
// 600 MB graph costs one pass over its field headers. Used to describe graphs that come without a
// manifest (transformers.js model folders); the result is what models/vlsm/quantize.py graph_io reports.
import type { TensorDType, TensorSpec } from './manifest';

export class OnnxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxFormatError';
  }
}

const ELEM: Record<number, TensorDType> = { 1: 'float32', 6: 'int32', 7: 'int64', 10: 'float16' };

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new OnnxFormatError('the file ends inside a number (truncated or not an ONNX model)');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new OnnxFormatError('a number in the file is malformed (not an ONNX model)');
  }

  /** Field number and wire type of the next field. */
  tag(): [number, number] {
    const t = this.varint();
    return [Math.floor(t / 8), t % 8];
  }

  /** Bounds of a length-delimited field's payload; moves past it. */
  sub(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw new OnnxFormatError('a field runs past the end of the file (truncated or not an ONNX model)');
    this.pos = start + len;
    return [start, start + len];
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.sub();
    else if (wire === 5) this.pos += 4;
    else throw new OnnxFormatError(`unexpected protobuf wire type ${wire} (not an ONNX model)`);
    if (this.pos > this.end) throw new OnnxFormatError('a field runs past the end of the file (truncated or not an ONNX model)');
  }
}

const utf8 = new TextDecoder();

function fields(buf: Uint8Array, [start, end]: [number, number], visit: (field: number, wire: number, r: Reader) => boolean): void {
  const r = new Reader(buf, start, end);
  while (r.pos < end) {
    const [field, wire] = r.tag();
    if (!visit(field, wire, r)) r.skip(wire);
  }
}

function dimension(buf: Uint8Array, span: [number, number]): number | string {
  let out: number | string = '?';
  fields(buf, span, (f, w, r) => {
    if (f === 1 && w === 0) out = r.varint();
    else if (f === 2 && w === 2) out = utf8.decode(buf.subarray(...r.sub()));
    else return false;
    return true;
  });
  return out;
}

function valueInfo(buf: Uint8Array, span: [number, number]): TensorSpec | null {
  let name = '';
  let dtype: TensorDType | null = null;
  const shape: (number | string)[] = [];
  fields(buf, span, (f, w, r) => {
    if (f === 1 && w === 2) name = utf8.decode(buf.subarray(...r.sub()));
    else if (f === 2 && w === 2) {
      fields(buf, r.sub(), (tf, tw, tr) => {
        if (tf !== 1 || tw !== 2) return false; // only tensor types
        fields(buf, tr.sub(), (ef, ew, er) => {
          if (ef === 1 && ew === 0) dtype = ELEM[er.varint()] ?? null;
          else if (ef === 2 && ew === 2) fields(buf, er.sub(), (sf, sw, sr) => (sf === 1 && sw === 2 ? (shape.push(dimension(buf, sr.sub())), true) : false));
          else return false;
          return true;
        });
        return true;
      });
    } else return false;
    return true;
  });
  return name && dtype ? { name, dtype, shape } : null;
}

/** Graph inputs (minus initializers listed as inputs by old exporters) and outputs of an ONNX model. */
export function onnxGraphIo(bytes: Uint8Array): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const inputs: TensorSpec[] = [];
  const outputs: TensorSpec[] = [];
  const initializers = new Set<string>();
  let graphs = 0;
  fields(bytes, [0, bytes.length], (f, w, r) => {
    if (f !== 7 || w !== 2) return false;
    graphs++;
    const span = r.sub();
    fields(bytes, span, (gf, gw, gr) => {
      if (gw !== 2 || (gf !== 11 && gf !== 12 && gf !== 5)) return false;
      const sub = gr.sub();
      if (gf === 5) {
        fields(bytes, sub, (tf, tw, tr) => (tf === 8 && tw === 2 ? (initializers.add(utf8.decode(bytes.subarray(...tr.sub()))), true) : false));
        return true;
      }
      const vi = valueInfo(bytes, sub);
      if (vi) (gf === 11 ? inputs : outputs).push(vi);
      return true;
    });
    return true;
  });
  if (graphs !== 1 || outputs.length === 0) throw new OnnxFormatError('the file is not an ONNX model (no graph with outputs in it)');
  return { inputs: inputs.filter((t) => !initializers.has(t.name)), outputs };
}
