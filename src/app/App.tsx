// Composition root: the layout (toolbar, left column, canvas, right column, status bar), keyboard map,
// error boundaries per region, notices and the help overlay. Panels come from slots.tsx.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { DemoGallery } from '../ui/demo/DemoGallery';
import { OpenFiles } from '../ui/scans/OpenFiles';
import { ScanList } from '../ui/scans/ScanList';
import { HelpOverlay } from '../ui/shell/HelpOverlay';
import { Notices } from '../ui/shell/Notices';
import { StatusBar } from '../ui/shell/StatusBar';
import { Toolbar } from '../ui/shell/Toolbar';
import { useScans } from '../state/scans';
import { Viewer } from '../viewer';
import { MprView } from '../ui/volume/MprView';
import { useMpr } from '../ui/volume/mprEdit';
import { openDemo, openFiles } from './actions/open';
import { deleteStored, openStored, renameStored } from './actions/scans';
import { ErrorBoundary } from './ErrorBoundary';
import { MOUSE_HELP, useKeyboard, type AppCommands } from './keymap';
import { RightPanel } from './RightPanel';
import { STATUS_ITEMS, TOOLBAR_ITEMS } from './slots';
import { useStartup } from './startup';
import { InferenceProvider } from '../ui/models/InferenceContext';
import { panelStyle, Splitter, usePanelWidths } from './Splitter';

const fire = (p: Promise<unknown>) => void p.catch((e: unknown) => console.error(e));

export function App() {
  const [help, setHelp] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const busy = useScans((s) => s.busy);
  const mpr = useMpr((s) => s.on);
  useStartup();
  const [widths, setWidth] = usePanelWidths();

  const commands = useMemo<AppCommands>(
    () => ({
      toggleHelp: () => setHelp((h) => !h),
      closeOverlays: () => setHelp(false),
      openFile: () => fileInput.current?.click(),
    }),
    [],
  );
  useKeyboard(commands);
  const onFiles = useCallback((files: File[]) => fire(openFiles(files)), []);
  useEffect(() => () => setHelp(false), []);

  return (
    <InferenceProvider>
    <div className="app" data-testid="app" style={panelStyle(widths)}>
      <ErrorBoundary name="toolbar">
        <Toolbar onOpen={commands.openFile} onOpenFolder={() => folderInput.current?.click()} onHelp={commands.toggleHelp}>
          {TOOLBAR_ITEMS.map(({ id, Component }) => (
            <ErrorBoundary key={id} name={id}>
              <Component />
            </ErrorBoundary>
          ))}
        </Toolbar>
      </ErrorBoundary>
      <aside className="left" data-testid="left-column">
        <ErrorBoundary name="scans">
          <ScanList onOpen={(id) => fire(openStored(id))} onRename={(id, n) => fire(renameStored(id, n))} onDelete={(id) => fire(deleteStored(id))} />
        </ErrorBoundary>
        <ErrorBoundary name="demos">
          <DemoGallery onOpen={(kind, seed) => fire(openDemo(kind, seed))} />
        </ErrorBoundary>
      </aside>
      <main className="center">
        <ErrorBoundary name="viewer">
          {mpr ? <MprView /> : <Viewer empty={<EmptyState onOpen={commands.openFile} busy={busy} />} />}
        </ErrorBoundary>
      </main>
      <Splitter side="left" onResize={setWidth} />
      <Splitter side="right" onResize={setWidth} />
      <RightPanel />
      <ErrorBoundary name="statusbar">
        <StatusBar>
          {STATUS_ITEMS.map(({ id, Component }) => (
            <ErrorBoundary key={id} name={id}>
              <Component />
            </ErrorBoundary>
          ))}
        </StatusBar>
      </ErrorBoundary>
      <OpenFiles inputRef={fileInput} folderRef={folderInput} onFiles={onFiles} />
      <Notices />
      {help && <HelpOverlay onClose={() => setHelp(false)} mouse={MOUSE_HELP} />}
    </div>
    </InferenceProvider>
  );
}

function EmptyState({ onOpen, busy }: { onOpen(): void; busy: string | null }) {
  return (
    <div className="empty-state" data-testid="empty-state">
      <h1>Open a scan to begin</h1>
      <p>PNG, JPEG, WebP, BMP, TIFF, DICOM, NIfTI, NRRD or MetaImage — everything stays on this computer.</p>
      <button type="button" className="primary" onClick={onOpen} disabled={!!busy}>
        {busy ?? 'Open a file…'}
      </button>
      <p className="hint">
        or drop files anywhere, or pick a demo scan on the left. Press <kbd>?</kbd> for shortcuts.
      </p>
    </div>
  );
}
