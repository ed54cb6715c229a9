// Runs, masks and mask versions (used by the prompts/results/correction panels). Versions are appended,
// never overwritten: addMaskVersion picks the next number inside the transaction.
import { guardWrite } from './errors';
import type { WorkbenchDB } from './schema';
import type { MaskRow, MaskVersionRow, RunRow } from './types';

export const putRun = (db: WorkbenchDB, run: RunRow): Promise<string> => guardWrite('the run', () => db.runs.put(run));

export const listRuns = (db: WorkbenchDB, scanId: string): Promise<RunRow[]> =>
  db.runs.where('scanId').equals(scanId).sortBy('createdAt');

export const putMask = (db: WorkbenchDB, mask: MaskRow): Promise<string> => guardWrite('the mask', () => db.masks.put(mask));

export const listMasks = (db: WorkbenchDB, scanId: string): Promise<MaskRow[]> =>
  db.masks.where('scanId').equals(scanId).sortBy('createdAt');

export async function addMaskVersion(db: WorkbenchDB, v: Omit<MaskVersionRow, 'version'>): Promise<MaskVersionRow> {
  return guardWrite('the mask edit', () =>
    db.transaction('rw', db.maskVersions, async () => {
      const last = await db.maskVersions
        .where('[maskId+version]')
        .between([v.maskId, -Infinity], [v.maskId, Infinity])
        .last();
      const row: MaskVersionRow = { ...v, version: (last?.version ?? 0) + 1 };
      await db.maskVersions.add(row);
      return row;
    }),
  );
}

export const listMaskVersions = (db: WorkbenchDB, maskId: string): Promise<MaskVersionRow[]> =>
  db.maskVersions.where('[maskId+version]').between([maskId, -Infinity], [maskId, Infinity]).toArray();
