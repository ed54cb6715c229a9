// Types for the untyped codec packages (Emscripten factories and the pure-JS lossless JPEG decoder).
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: (opts?: { locateFile?: (path: string, dir: string) => string; print?: (s: string) => void; printErr?: (s: string) => void }) => Promise<Record<string, unknown>>;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (opts?: { locateFile?: (path: string, dir: string) => string; print?: (s: string) => void; printErr?: (s: string) => void }) => Promise<Record<string, unknown>>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (opts?: { locateFile?: (path: string, dir: string) => string; print?: (s: string) => void; printErr?: (s: string) => void }) => Promise<Record<string, unknown>>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjph/wasmjs' {
  const factory: (opts?: { locateFile?: (path: string, dir: string) => string; print?: (s: string) => void; printErr?: (s: string) => void }) => Promise<Record<string, unknown>>;
  export default factory;
}
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor(buffer?: ArrayBuffer | null, numBytes?: number);
    decode(buffer?: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
    numComp: number;
    xDim: number;
    yDim: number;
    precision?: number;
  }
}
