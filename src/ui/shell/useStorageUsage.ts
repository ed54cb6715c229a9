// Storage used by the app, refreshed whenever the scan list changes.
import { useEffect, useState } from 'react';
import { formatBytes } from '../../lib/format';
import { storageUsage } from '../../storage/quota';
import { useScans } from '../../state/scans';

export function useStorageUsage(): { text: string; title: string } {
  const list = useScans((s) => s.list);
  const [state, setState] = useState({ text: 'Storage: –', title: '' });
  useEffect(() => {
    let live = true;
    storageUsage()
      .then((u) => {
        if (!live || !u) return;
        setState({
          text: `Storage ${formatBytes(u.usage)} of ${formatBytes(u.quota)}`,
          title: u.persisted ? 'Persistent storage granted' : 'Storage may be cleared by the browser under pressure',
        });
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [list]);
  return state;
}
