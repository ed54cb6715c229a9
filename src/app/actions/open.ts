// Opening new scans: user files (read in a worker, saved, shown) and demo scans (generated, saved with
// their ground truth as a reference mask). Failures become notices; the open scan and saved scans stay.
import { encode } from 'fast-png';
import { makeDemo, type DemoKind } from '../../demo';
import type { Scan } from '../../scan/types';
import { getDb, putMask, saveScan, type SaveOptions } from '../../storage';
import { notify } from '../../state/notices';
import { useScans } from '../../state/scans';
import { thumbnailOf } from '../../viewer/thumbnail';
import { ReadCancelled, readFile } from '../io/readFile';
import { refreshList } from './scans';
import { showScan } from './show';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Saves a scan; on failure reports it and returns null (the scan can still be shown, unsaved). */
async function trySave(scan: Scan, opts: SaveOptions): Promise<string | null> {
  try {
    const thumbnail = safeThumb(scan);
    const storage = globalThis.navigator?.storage;
    const estimate = storage?.estimate ? () => storage.estimate() : undefined;
    return (await saveScan(getDb(), scan, { ...opts, thumbnail, estimate })).id;
  } catch (e) {
    // Still shown: the user can work on it, it is just not saved.
    notify('error', `"${scan.name}" is open but not saved`, message(e));
    return null;
  }
}

async function show(scan: Scan, id: string | null): Promise<void> {
  await showScan(scan, id);
  await refreshList();
}

function safeThumb(scan: Scan): string | null {
  try {
    return thumbnailOf(scan);
  } catch {
    return null;
  }
}

/** Opens files one after another; returns how many opened. Cancelling stops the current and later files. */
export async function openFiles(files: readonly File[]): Promise<number> {
  let opened = 0;
  const { setBusy } = useScans.getState();
  const abort = new AbortController();
  for (const file of files) {
    if (abort.signal.aborted) break;
    setBusy(`Reading ${file.name}…`, () => abort.abort());
    try {
      const scan = await readFile(file, abort.signal);
      setBusy(`Saving ${file.name}…`);
      await show(scan, await trySave(scan, { source: 'file' }));
      opened++;
    } catch (e) {
      if (e instanceof ReadCancelled) notify('info', 'Cancelled', e.message);
      else notify('error', `Could not open "${file.name}"`, message(e));
    } finally {
      setBusy(null);
    }
  }
  return opened;
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
