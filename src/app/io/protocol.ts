// Messages between the app and the file-reading worker: scans, and reference masks for an open scan.
import type { Mask } from '../../mask/types';
import type { MaskTarget } from '../../scan/writers/maskImport';
import type { Scan, ScanReadError } from '../../scan/types';

export type ReadRequest =
  | { id: number; kind?: 'scan'; name: string; bytes: ArrayBuffer }
  | { id: number; kind: 'mask'; name: string; bytes: ArrayBuffer; target: MaskTarget; frame: number };

export type ReadReply =
  | { id: number; ok: true; scan: Scan }
  | { id: number; ok: true; mask: Mask }
  /** The decoded size the file's header declares, sent before decoding: the time limit is set from it. */
  | { id: number; declared: { bytes: number; width: number; height: number; frames: number } }
  /** How far the decode has come (0-1), at most every 100 ms or 5 %, for long decodes only. */
  | { id: number; progress: number }
  | { id: number; ok: false; code: ScanReadError['code']; message: string };
