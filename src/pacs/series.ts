// Opening a PACS series as one volume: list its instances (QIDO-RS), download them (WADO-RS) through a
// bounded pool, decode each (caller's decoder, e.g. the app's worker) and stack them by position.
// Nothing is returned (or stored by the caller) until every slice arrived and decoded: a failure or a
// cancel mid-series leaves no partial volume.
import type { Scan } from '../scan/types';
import { ScanReadError } from '../scan/types';
import { listInstances, PacsError, retrieveInstance, type PacsConfig, type SeriesSummary } from './client';
import { runPool } from './pool';
import { stackSlices, type Slice } from './stack';

/** Default number of instance downloads in flight (chosen by `npm run bench:pacs`, see bench/results). */
export const DEFAULT_POOL = 6;

export interface SeriesProgress {
  done: number;
  total: number;
  bytes: number;
}

export interface OpenSeriesOptions {
  decode: (name: string, bytes: ArrayBuffer, signal: AbortSignal) => Promise<Scan>;
  pool?: number;
  signal?: AbortSignal;
  onProgress?: (p: SeriesProgress) => void;
  /** Name of the volume (defaults to the series description). */
  name?: string;
}

export async function fetchSeries(cfg: PacsConfig, series: SeriesSummary, opts: OpenSeriesOptions): Promise<Scan> {
  const { studyInstanceUID, seriesInstanceUID } = series;
  const instances = await listInstances(cfg, studyInstanceUID, seriesInstanceUID, opts.signal);
  if (instances.length === 0) throw new PacsError('The PACS lists no images in this series.', 'not-found');
  const total = instances.length;
  let done = 0;
  let bytes = 0;
  opts.onProgress?.({ done, total, bytes });
  const name = opts.name ?? (series.description || `${series.modality || 'DICOM'} series ${series.number}`.trim());
  let slices: Slice[];
  try {
    slices = await runPool(
      instances,
      opts.pool ?? DEFAULT_POOL,
      async (inst, i, signal) => {
        const buf = await retrieveInstance(cfg, { studyInstanceUID, seriesInstanceUID, sopInstanceUID: inst.sopInstanceUID }, signal);
        bytes += buf.byteLength;
        let scan: Scan;
        try {
          scan = await opts.decode(`${name} #${inst.instanceNumber || i + 1}`, buf, signal);
        } catch (e) {
          if (e instanceof ScanReadError && e.code === 'unsupported') {
            throw new PacsError(`This series cannot be opened: ${e.message} Ask for it in another transfer syntax (e.g. uncompressed or JPEG 2000), or export it from the PACS.`, 'unsupported');
          }
          throw e;
        }
        done++;
        opts.onProgress?.({ done, total, bytes });
        return { scan, instanceNumber: inst.instanceNumber };
      },
      opts.signal,
    );
  } catch (e) {
    if (opts.signal?.aborted) throw new PacsError('Opening the series was cancelled; nothing was saved.', 'cancelled');
    if (e instanceof PacsError && e.kind === 'unreachable') {
      throw new PacsError(`The connection to the PACS was lost after ${done} of ${total} images; nothing of this series was saved. Check the network and open it again.`, 'unreachable', e.status);
    }
    throw e;
  }
  const volume = stackSlices(name, slices);
  volume.metadata = { ...volume.metadata, pacsStudy: studyInstanceUID, pacsSeries: seriesInstanceUID };
  return volume;
}
