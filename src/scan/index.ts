// Public API of the scan readers (the writers live in ./writers and export themselves).
export { readScan, type ScanFile } from './readScan';
export { frameView, scanStats, windowLevelToRGBA, type ScanStats } from './view';
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, type ReadOptions } from './limits';
export { sniff, type Sniffed } from './sniff';
export { preloadCodecs } from './codecs/wasm';
export { ScanReadError } from './types';
export type { PixelArray, Photometric, Scan, ScanDType, ScanFormat, ScanGeometry, WindowLevel } from './types';
