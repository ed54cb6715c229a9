// App actions against a real (in-memory) IndexedDB: demo open saves scan + ground truth, the session is
// restored, rename and delete keep the open scan and the stored state consistent.
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { getDb, getSetting, LAST_SCAN_KEY, listMasks } from '../../storage';
import { useNotices } from '../../state/notices';
import { useScans } from '../../state/scans';
import { useView } from '../../state/view';
import { openDemo } from './open';
import { deleteStored, openStored, renameStored, restoreSession } from './scans';

beforeEach(async () => {
  await Promise.all(getDb().tables.map((t) => t.clear()));
  useScans.setState({ list: [], activeId: null, scan: null, busy: null });
  useNotices.setState({ notices: [] });
});

describe('app actions', () => {
  it('opening a demo saves it with its ground truth and prompt, shows it and remembers it', async () => {
    const id = await openDemo('endoscopy', 3, 64);
    expect(id).toBeTruthy();
    const s = useScans.getState();
    expect(s.activeId).toBe(id);
    expect(s.scan?.width).toBe(64);
    expect(String(s.scan?.metadata.prompt)).toMatch(/polyp/);
    expect(s.list.map((x) => x.id)).toEqual([id]);
    const masks = await listMasks(getDb(), id!);
    expect(masks).toHaveLength(1);
    expect(masks[0]).toMatchObject({ provenance: 'reference', encoding: 'png', width: 64, height: 64 });
    expect(await getSetting(getDb(), LAST_SCAN_KEY)).toBe(id);
    expect(useView.getState().frame).toBe(0);
    expect(useNotices.getState().notices).toEqual([]);
  });

  it('restores the last opened scan at start-up', async () => {
    const a = await openDemo('xray', 1, 48);
    await openDemo('ultrasound', 1, 48);
    await openStored(a!);
    useScans.setState({ list: [], activeId: null, scan: null });
    await restoreSession();
    expect(useScans.getState().activeId).toBe(a);
    expect(useScans.getState().list).toHaveLength(2);
  });

  it('rename updates the list and the open scan; delete closes it and forgets it', async () => {
    const a = await openDemo('dermoscopy', 2, 48);
    await renameStored(a!, 'Lesion, left arm');
    expect(useScans.getState().scan?.name).toBe('Lesion, left arm');
    expect(useScans.getState().list[0].name).toBe('Lesion, left arm');
    await renameStored(a!, '  ');
    expect(useNotices.getState().notices.at(-1)?.message).toMatch(/empty/);
    await deleteStored(a!);
    expect(useScans.getState().scan).toBeNull();
    expect(useScans.getState().list).toEqual([]);
    expect(await getSetting(getDb(), LAST_SCAN_KEY)).toBeNull();
    expect(await listMasks(getDb(), a!)).toEqual([]);
    expect(await openStored(a!)).toBe(false);
    expect(useNotices.getState().notices.at(-1)?.title).toMatch(/not found/);
  });
});
