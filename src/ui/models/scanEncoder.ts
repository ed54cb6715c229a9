// Maps (scan id, frame, window) to an encoded image in the worker: one key per frame (and per window for
// data that needs windowing), encoded once; a scan's encodings at another window are forgotten to free memory.
import type { Scan } from '../../scan/types';
import { isAbortError, type InferenceClient, type SegmentResult } from '../../worker/client';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';

export class ScanEncoder {
  private readonly keys = new Map<string, Set<string>>(); // scanId -> encoded keys (one per frame)
  private readonly ready = new Map<string, Promise<unknown>>();

  constructor(private readonly client: InferenceClient) {}

  private keyOf(scanId: string, scan: Scan, frame: number): string {
    const w = useView.getState().window;
    const windowed = scan.dtype !== 'uint8';
    return windowed ? `${scanId}#${frame}#${w.center}/${w.width}` : `${scanId}#${frame}`;
  }

  /** Encodes the open scan's frame if needed; resolves to the worker key. */
  async prepare(scanId: string, frame: number, signal?: AbortSignal): Promise<string> {
    const { activeId, scan } = useScans.getState();
    if (!scan || activeId !== scanId) throw new Error('that scan is not open');
    const key = this.keyOf(scanId, scan, frame);
    // Every frame keeps its encoding (the worker's feature cache is bounded by bytes), so prompting all
    // slices a second time skips the vision encoder; a new window drops the scan's older encodings.
    const keep = this.keys.get(scanId) ?? new Set<string>();
    const tag = (k: string) => k.split('#').slice(2).join('#');
    for (const old of [...keep]) {
      if (tag(old) !== tag(key)) {
        this.client.forgetScan(old);
        this.ready.delete(old);
        keep.delete(old);
      }
    }
    keep.add(key);
    this.keys.set(scanId, keep);
    let p = this.ready.get(key);
    if (!p) {
      p = this.client.encodeImage(key, scan, { frame, window: useView.getState().window, signal });
      this.ready.set(key, p);
      p.catch(() => this.ready.delete(key));
    }
    await p;
    return key;
  }

  async segment(scanId: string, prompt: string, frame: number, signal?: AbortSignal, lane?: string): Promise<SegmentResult> {
    let key: string;
    try {
      key = await this.prepare(scanId, frame, signal);
    } catch (e) {
      // The frame's encoding is shared: one started for an earlier prompt that was then cancelled (the
      // latest prompt wins) fails with that prompt's abort. This prompt was not cancelled: encode again.
      if (!isAbortError(e) || signal?.aborted) throw e;
      key = await this.prepare(scanId, frame, signal);
    }
    let r: SegmentResult;
    try {
      r = await this.client.segment(key, prompt, { signal, lane });
    } catch (e) {
      if ((e as Error).name !== 'NotEncodedError') throw e;
      this.ready.delete(key); // dropped on both sides: encode the open scan again
      key = await this.prepare(scanId, frame, signal);
      r = await this.client.segment(key, prompt, { signal, lane });
    }
    lastResult = summarise(scanId, frame, r);
    return r;
  }
}

/** What the last prompt produced, for the test hook (window.__vlsmInference): no pixels, just numbers. */
export interface ResultSummary {
  scanId: string;
  frame: number;
  prompt: string;
  width: number;
  height: number;
  foreground: number;
  timings: SegmentResult['timings'];
  cache: SegmentResult['cache'];
  backend: string;
  modelId: string;
}

let lastResult: ResultSummary | null = null;
export const getLastResult = (): ResultSummary | null => lastResult;

/** The foreground fraction comes counted from the engine's thread: the probabilities themselves are handed on
 *  to the mask worker (transferred) right after, so they cannot be counted here later. */
function summarise(scanId: string, frame: number, r: SegmentResult): ResultSummary {
  return {
    scanId, frame, prompt: r.prompt, width: r.width, height: r.height, timings: r.timings, cache: r.cache, backend: r.backend, modelId: r.modelId,
    foreground: r.foreground,
  };
}
