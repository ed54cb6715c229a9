// Scan list actions: refresh, open from storage, rename, delete, restore the last opened scan.
import { deleteScan, getDb, getSetting, LAST_SCAN_KEY, listScans, loadScan, renameScan, setSetting, type ScanRow } from '../../storage';
import { notify } from '../../state/notices';
import { useScans, type ScanSummary } from '../../state/scans';
import { closeScan, showScan } from './show';
import { forgetScanPrompt } from '../../ui/prompts/scanPrompt';

const summary = (r: ScanRow): ScanSummary => ({
  id: r.id, name: r.name, format: r.format, width: r.width, height: r.height, frames: r.frames,
  thumbnail: r.thumbnail, updatedAt: r.updatedAt,
});

export async function refreshList(): Promise<void> {
  const rows = await listScans(getDb());
  useScans.getState().setList(rows.map(summary));
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function openStored(id: string): Promise<boolean> {
  try {
    const scan = await loadScan(getDb(), id);
    if (!scan) {
      notify('error', 'Scan not found', 'That scan is no longer in storage.');
      await refreshList();
      return false;
    }
    await showScan(scan, id);
    await refreshList();
    return true;
  } catch (e) {
    notify('error', 'Could not open the saved scan', message(e));
    return false;
  }
}

export async function renameStored(id: string, name: string): Promise<void> {
  try {
    await renameScan(getDb(), id, name);
    const { activeId, scan, setActive } = useScans.getState();
    if (activeId === id && scan) setActive(id, { ...scan, name: name.trim() });
  } catch (e) {
    notify('error', 'Rename failed', message(e));
  }
  await refreshList();
}

export async function deleteStored(id: string): Promise<void> {
  try {
    await deleteScan(getDb(), id);
    forgetScanPrompt(id);
    if (useScans.getState().activeId === id) {
      closeScan();
      await setSetting(getDb(), LAST_SCAN_KEY, null);
    }
  } catch (e) {
    notify('error', 'Delete failed', message(e));
  }
  await refreshList();
}

/** At start-up: list the saved scans and reopen the one that was open last. */
export async function restoreSession(): Promise<void> {
  try {
    await refreshList();
    const last = await getSetting<string | null>(getDb(), LAST_SCAN_KEY);
    if (last && useScans.getState().list.some((s) => s.id === last)) await openStored(last);
  } catch (e) {
    notify('error', 'Saved scans could not be loaded', `${message(e)} (IndexedDB may be disabled in this browser).`);
  }
}
