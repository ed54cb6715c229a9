// Worker that decodes one file into a Scan (or a reference mask), off the main thread, so a slow or
// malicious file can never freeze the UI (the caller terminates it on timeout). Before decoding, the
// size the header declares is posted, so the caller's time limit follows the decoded size; long decodes
// (inflating a volume, decompressing frames) post their progress. Replies carry the pixels as a transfer.
import { readScan } from '../../scan';
import { ScanReadError } from '../../scan/types';
import { readMaskFile } from '../../scan/writers/maskImport';
import type { ReadReply, ReadRequest } from './protocol';

const post = (reply: ReadReply, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(reply, transfer);

self.onmessage = async (e: MessageEvent<ReadRequest>) => {
  const req = e.data;
  const { id, name, bytes } = req;
  try {
    if (req.kind === 'mask') {
      const mask = readMaskFile({ name, bytes: new Uint8Array(bytes) }, req.target, req.frame);
      post({ id, ok: true, mask }, [mask.data.buffer as ArrayBuffer]);
      return;
    }
    let sentAt = 0;
    let sent = 0;
    const scan = await readScan({ name, bytes: new Uint8Array(bytes) }, {
      onDeclared: (declared) => post({ id, declared }),
      // posted while this thread is still decoding: the page receives it at once
      onProgress: (fraction) => {
        const now = performance.now();
        if (now - sentAt < 100 && fraction - sent < 0.05) return;
        sentAt = now;
        sent = fraction;
        post({ id, progress: fraction });
      },
    });
    post({ id, ok: true, scan }, [scan.data.buffer as ArrayBuffer]);
  } catch (err) {
    const code = err instanceof ScanReadError ? err.code : 'corrupt';
    const known = err instanceof ScanReadError || (err instanceof Error && err.name === 'MaskReadError');
    post({ id, ok: false, code, message: known ? (err as Error).message : `"${name}" could not be decoded: the file is damaged or not what its name says.` });
  }
};
