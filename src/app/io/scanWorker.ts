// Worker that decodes one file into a Scan, off the main thread, so a slow or malicious file can never
// freeze the UI (the caller terminates it on timeout). Replies carry the pixels as a transfer.
import { readScan } from '../../scan';
import { ScanReadError } from '../../scan/types';
import type { ReadReply, ReadRequest } from './protocol';

const post = (reply: ReadReply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(reply, transfer);

self.onmessage = async (e: MessageEvent<ReadRequest>) => {
  const { id, name, bytes } = e.data;
  try {
    const scan = await readScan({ name, bytes: new Uint8Array(bytes) });
    post({ id, ok: true, scan }, [scan.data.buffer as ArrayBuffer]);
  } catch (err) {
    const code = err instanceof ScanReadError ? err.code : 'corrupt';
    const message = err instanceof Error ? err.message : String(err);
    post({ id, ok: false, code, message: err instanceof ScanReadError ? message : `The file could not be decoded (${message}).` });
  }
};
