// Start-up work: built-in tools, persistent storage request, the reader worker, restoring the session.
import { useEffect } from 'react';
import { requestPersist } from '../storage';
import { useTools } from '../state/tools';
import { BUILTIN_TOOLS } from '../viewer';
import { restoreSession } from './actions/scans';
import { readMaskBytes, warmReader } from './io/readFile';
import { setMaskReader } from '../ui/results/referenceActions';
import { installTestHook } from './testHook';
import { installMprTestHook } from '../ui/volume/MprView';

export function useStartup(): void {
  useEffect(() => {
    const offs = BUILTIN_TOOLS.map((t) => useTools.getState().register(t));
    // Test builds only (dev server, `vite build --mode test`): dead code in a production build.
    if (import.meta.env.MODE !== 'production') {
      installTestHook();
      installMprTestHook();
    }
    warmReader();
    setMaskReader(readMaskBytes); // reference masks decode in the reader worker too
    void requestPersist();
    void restoreSession();
    return () => offs.forEach((off) => off());
  }, []);
}
