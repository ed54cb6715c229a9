// Makes a scan the open one: resets view state (frame 0, the scan's window, fit), clears layers of the
// previous scan, remembers it as the last opened.
import type { Scan } from '../../scan/types';
import { getDb, LAST_SCAN_KEY, setSetting, touchScan } from '../../storage';
import { useLayers } from '../../state/layers';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';

export async function showScan(scan: Scan, id: string | null): Promise<void> {
  useLayers.getState().clear();
  useScans.getState().setActive(id, scan);
  useView.getState().reset(scan.window, 0);
  if (id) {
    try {
      await setSetting(getDb(), LAST_SCAN_KEY, id);
      await touchScan(getDb(), id);
    } catch {
      // Remembering the last scan is a convenience; never fail an open over it.
    }
  }
}

export function closeScan(): void {
  useLayers.getState().clear();
  useScans.getState().setActive(null, null);
  useView.getState().setCursor(null);
}
