// Opening new scans: user files (read in a worker, saved, shown) and demo scans (generated, saved with
// their ground truth as a reference mask). Failures become notices; the open scan and saved scans stay.
import { encode } from 'fast-png';
import { makeDemo, type DemoKind } from '../../demo';
import type { Scan } from '../../scan/types';
import { openingFrame } from '../../scan/volume/orientation';
import { assembleSeries } from '../../scan/volume/series';
import { getDb, putMask, SaveCancelled, saveScan, type SaveOptions } from '../../storage';
import { notify } from '../../state/notices';
import { useScans } from '../../state/scans';
import { thumbnailOf } from '../../viewer/thumbnail';
import { ReadCancelled, readFile } from '../io/readFile';
import { refreshList } from './scans';
import { showScan } from './show';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Saves a scan; on failure reports it and returns null (the scan can still be shown, unsaved, and the
 * status bar says so). While it saves, the busy label offers Cancel: a save never holds the app.
 */
export async function trySave(scan: Scan, opts: SaveOptions): Promise<string | null> {
  const abort = new AbortController();
  const { setBusy } = useScans.getState();
  setBusy(`Saving ${scan.name}…`, () => abort.abort());
  try {
    const thumbnail = safeThumb(scan);
    const storage = globalThis.navigator?.storage;
    const estimate = storage?.estimate ? () => storage.estimate() : undefined;
    return (await saveScan(getDb(), scan, { ...opts, thumbnail, estimate, signal: abort.signal })).id;
  } catch (e) {
    // Still shown: the user can work on it, it is just not saved.
    if (e instanceof SaveCancelled) notify('info', 'Not saved', e.message);
    else notify('error', `"${scan.name}" is open but not saved`, message(e));
    return null;
  } finally {
    setBusy(null);
  }
}

async function show(scan: Scan, id: string | null): Promise<void> {
  await showScan(scan, id);
  await refreshList();
}

function safeThumb(scan: Scan): string | null {
  try {
    return thumbnailOf(scan, 96, openingFrame(scan));
  } catch {
    return null;
  }
}

/** Files read before grouping: an error notice each for the first few, then one summary. */
const MAX_FILE_NOTICES = 3;

/**
 * Opens files: reads them all (in the reader worker, one after another), groups DICOM slices of one
 * series into a volume (scan/volume/series.ts), then saves and shows each result. Returns how many
 * scans opened. Cancelling stops the current and later files; files already read still open.
 */
export async function openFiles(files: readonly File[]): Promise<number> {
  const { setBusy } = useScans.getState();
  const abort = new AbortController();
  const read: Scan[] = [];
  const failed: string[] = [];
  try {
    for (const [i, file] of files.entries()) {
      if (abort.signal.aborted) break;
      setBusy(files.length > 1 ? `Reading ${i + 1} / ${files.length}: ${file.name}…` : `Reading ${file.name}…`, () => abort.abort());
      try {
        // a large decode says what it is decoding and how far it has come (and stays cancellable)
        let what: string | null = null;
        const prefix = files.length > 1 ? `${i + 1} / ${files.length}: ` : '';
        read.push(
          await readFile(file, abort.signal, {
            onDeclared: (d) => {
              const mib = d.bytes / 2 ** 20;
              if (mib < 32) return;
              what = `Decoding ${prefix}${file.name} (${d.width} × ${d.height}${d.frames > 1 ? ` × ${d.frames}` : ''}, ${mib.toFixed(0)} MiB)`;
              setBusy(`${what}…`, () => abort.abort());
            },
            onProgress: (f) => setBusy(`${what ?? `Decoding ${prefix}${file.name}`}… ${Math.floor(f * 100)} %`, () => abort.abort()),
          }),
        );
      } catch (e) {
        if (e instanceof ReadCancelled) notify('info', 'Cancelled', e.message);
        else if (failed.push(file.name) <= MAX_FILE_NOTICES) notify('error', `Could not open "${file.name}"`, message(e));
      }
    }
    if (failed.length > MAX_FILE_NOTICES) {
      notify('error', `${failed.length} of ${files.length} files could not be opened`, `Also not opened: ${failed.slice(MAX_FILE_NOTICES, MAX_FILE_NOTICES + 10).join(', ')}${failed.length > MAX_FILE_NOTICES + 10 ? ', …' : ''}.`);
    }
    const { scans, problems } = assembleSeries(read);
    read.length = 0; // the volumes hold copies; let the per-file pixels go
    if (problems.length) notify('error', problems.length > 1 ? `${problems.length} problems in the series (what is consistent opened)` : 'A problem in the series (what is consistent opened)', problems.join('\n'));
    let opened = 0;
    for (const scan of scans) {
      await show(scan, await trySave(scan, { source: 'file' }));
      opened++;
    }
    return opened;
  } finally {
    setBusy(null);
  }
}

export async function openDemo(kind: DemoKind, seed: number, size = 512): Promise<string | null> {
  const demo = makeDemo(kind, seed, size);
  demo.scan.metadata = { ...demo.scan.metadata, prompt: demo.prompt };
  const id = await trySave(demo.scan, { source: 'demo' });
  // The ground truth is stored before the scan is shown, so panels that load on open find it.
  if (id) {
    try {
      const png = encode({ width: size, height: size, data: demo.mask.map((v) => v * 255), channels: 1, depth: 8 });
      await putMask(getDb(), {
        id: `${id}-truth`, scanId: id, frame: 0, width: size, height: size, encoding: 'png', data: png,
        provenance: 'reference', label: 'ground truth', createdAt: Date.now(),
      });
    } catch (e) {
      notify('error', 'The ground-truth mask was not saved', message(e));
    }
  }
  await show(demo.scan, id);
  return id;
}
