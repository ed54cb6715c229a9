// Makes a scan the open one: resets view state (middle slice of a volume, else frame 0; the scan's window; fit), clears layers of the
// previous scan, remembers it as the last opened.
import type { Scan } from '../../scan/types';
import { openingFrame } from '../../scan/volume/orientation';
import { getDb, LAST_SCAN_KEY, setSetting, touchScan } from '../../storage';
import { useLayers } from '../../state/layers';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';

export async function showScan(scan: Scan, id: string | null): Promise<void> {
  useLayers.getState().clear();
  useScans.getState().setActive(id, scan);
  // volumes open on their middle slice (the first slice is usually air or blank)
  useView.getState().reset(scan.window, openingFrame(scan));
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
