// Opening a PACS series as one volume: list its instances (QIDO-RS), download them (WADO-RS) through a
// bounded pool, decode each (caller's decoder, e.g. the app's worker) and stack them by position.
// Nothing is returned (or stored by the caller) until every slice arrived and decoded: a failure or a
// cancel mid-series leaves no partial volume.
import type { Scan } from '../scan/types';
import { ScanReadError } from '../scan/types';
import { listInstances, PacsError, retrieveInstance, type PacsConfig, type SeriesSummary } from './client';
import { assembleSeries } from '../scan/volume/series';
import { runPool } from './pool';
import { stackByInstance, type Slice } from './stack';

/** The committed `npm run bench:pacs` result the default pool follows (src/pacs/pacs.test.ts checks it). */
export const PACS_BENCH_RESULT = 'bench/results/2026-12-04-pacs-quiet.json';

/**
 * Default number of instance downloads in flight: the best median of PACS_BENCH_RESULT (100 slices of
 * 512x512 from the local Orthanc through the /pacs/ proxy, 3 runs per pool, started at load 2.5 on 2 cores,
 * load 11 by its end as other work resumed): open in 5.2 s with 8 (21.4 images/s), 6.2 s with 1, 6.6 s
 * with 12, 7.8 s with 16. The spread between runs of one pool (e.g. 4.3-9.3 s with 12) is as large as the
 * differences between pools, so this is a loose optimum. Chromium keeps at most 6 HTTP/1.1 connections
 * per host; a few more requests queued let each connection start its next image at once.
 */
export const DEFAULT_POOL = 8;

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

/**
 * The downloaded images as one scan: the volume model's assembly (sorted by position along the slice
 * normal, spacing from the positions, one SOP instance UID per frame); images without geometry stacked by
 * instance number. When the series does not make one volume (gaps, another orientation, mixed sizes),
 * the largest part opens and `problems` says what was left out.
 */
export function seriesVolume(name: string, slices: readonly Slice[]): { scan: Scan; problems: string[] } {
  const ordered = [...slices].sort((a, b) => a.instanceNumber - b.instanceNumber);
  const { scans, problems } = assembleSeries(ordered.map((s) => s.scan));
  let scan: Scan;
  if (scans.length === 1) scan = scans[0];
  else {
    const plain = scans.every((s) => s.frames === 1) ? stackByInstance(name, ordered) : null;
    scan = plain ?? scans.reduce((a, b) => (b.frames > a.frames ? b : a));
    if (!plain && scans.length > 1)
      problems.push(
        `The series holds ${scans.length} separate images or volumes; the largest (${scan.frames} ${scan.frames === 1 ? 'image' : 'slices'}) is open.`,
      );
  }
  return { scan: { ...scan, name }, problems };
}

export async function fetchSeries(
  cfg: PacsConfig,
  series: SeriesSummary,
  opts: OpenSeriesOptions,
): Promise<{ scan: Scan; problems: string[] }> {
  const { studyInstanceUID, seriesInstanceUID } = series;
  const instances = await listInstances(cfg, studyInstanceUID, seriesInstanceUID, opts.signal);
  if (instances.length === 0) throw new PacsError('The PACS lists no images in this series.', 'not-found');
  const total = instances.length;
  let done = 0;
  let bytes = 0;
  opts.onProgress?.({ done, total, bytes });
  const name =
    opts.name ?? (series.description || `${series.modality || 'DICOM'} series ${series.number}`.trim());
  let slices: Slice[];
  try {
    slices = await runPool(
      instances,
      opts.pool ?? DEFAULT_POOL,
      async (inst, i, signal) => {
        const buf = await retrieveInstance(
          cfg,
          { studyInstanceUID, seriesInstanceUID, sopInstanceUID: inst.sopInstanceUID },
          signal,
        );
        bytes += buf.byteLength;
        let scan: Scan;
        try {
          scan = await opts.decode(`${name} #${inst.instanceNumber || i + 1}`, buf, signal);
        } catch (e) {
          if (e instanceof ScanReadError && e.code === 'unsupported') {
            throw new PacsError(
              `This series cannot be opened: ${e.message} Ask for it in another transfer syntax (e.g. uncompressed or JPEG 2000), or export it from the PACS.`,
              'unsupported',
            );
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
    if (opts.signal?.aborted)
      throw new PacsError('Opening the series was cancelled; nothing was saved.', 'cancelled');
    if (e instanceof PacsError && e.kind === 'unreachable') {
      throw new PacsError(
        `The connection to the PACS was lost after ${done} of ${total} images; nothing of this series was saved. Check the network and open it again.`,
        'unreachable',
        e.status,
      );
    }
    throw e;
  }
  const { scan, problems } = seriesVolume(name, slices);
  return {
    scan: {
      ...scan,
      metadata: { ...scan.metadata, pacsStudy: studyInstanceUID, pacsSeries: seriesInstanceUID },
    },
    problems,
  };
}
