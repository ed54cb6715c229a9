// Messages between the app and the scan-reading worker.
import type { Scan, ScanReadError } from '../../scan/types';

export interface ReadRequest {
  id: number;
  name: string;
  bytes: ArrayBuffer;
}

export type ReadReply =
  | { id: number; ok: true; scan: Scan }
  | { id: number; ok: false; code: ScanReadError['code']; message: string };
