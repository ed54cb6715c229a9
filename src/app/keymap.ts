// The app's keyboard map. Add a shortcut here (one entry in DEFAULT_SHORTCUTS) or, from a panel, call
// registerShortcut() from state/keymap on mount. One keydown listener dispatches; `?` lists them all.
import { useEffect } from 'react';
import { comboOf, findShortcut, registerShortcut, useKeymap, type Shortcut } from '../state/keymap';
import { useTools } from '../state/tools';
import { useScans } from '../state/scans';
import { useView } from '../state/view';
import { goToFrame, presetWindow, stepFrame, zoomCentre } from '../viewer';

export { registerShortcut, type Shortcut } from '../state/keymap';

export interface AppCommands {
  toggleHelp(): void;
  closeOverlays(): void;
  openFile(): void;
}

const preset = (id: string) => () => {
  const { scan } = useScans.getState();
  const v = useView.getState();
  if (scan) v.setWindow(presetWindow(id, scan, v.frame), id);
};

/** `r` as in Slicer and OHIF: back to how the scan opened (zoom to fit, the file's window, not inverted). */
function resetView(): void {
  const { scan } = useScans.getState();
  const v = useView.getState();
  if (!scan) return;
  v.setWindow(presetWindow('file', scan, v.frame), 'file');
  if (v.invert) v.toggleInvert();
  v.requestFit();
}

export function defaultShortcuts(cmd: AppCommands): Shortcut[] {
  const nav = 'Slices';
  const view = 'View';
  return [
    { id: 'help', keys: ['?'], description: 'Show or hide keyboard shortcuts', group: 'General', run: cmd.toggleHelp },
    { id: 'close', keys: ['Escape'], description: 'Close dialogs and overlays', group: 'General', run: cmd.closeOverlays },
    { id: 'open', keys: ['o', 'Mod+o'], description: 'Open a scan file', group: 'General', run: cmd.openFile },
    { id: 'next-frame', keys: ['ArrowRight', 'ArrowDown'], description: 'Next slice / frame', group: nav, run: () => stepFrame(1) },
    { id: 'prev-frame', keys: ['ArrowLeft', 'ArrowUp'], description: 'Previous slice / frame', group: nav, run: () => stepFrame(-1) },
    { id: 'next-10', keys: ['PageDown'], description: 'Forward 10 slices', group: nav, run: () => stepFrame(10) },
    { id: 'prev-10', keys: ['PageUp'], description: 'Back 10 slices', group: nav, run: () => stepFrame(-10) },
    { id: 'first', keys: ['Home'], description: 'First slice', group: nav, run: () => goToFrame('first') },
    { id: 'last', keys: ['End'], description: 'Last slice', group: nav, run: () => goToFrame('last') },
    { id: 'fit', keys: ['0', 'F'], description: 'Fit the scan to the window', group: view, run: () => useView.getState().requestFit() },
    { id: 'reset', keys: ['r'], description: 'Reset the view: fit, file window/level, not inverted', group: view, run: resetView },
    { id: 'invert', keys: ['i'], description: 'Invert the display (negative)', group: view, run: () => useView.getState().toggleInvert() },
    { id: 'zoom-in', keys: ['+', '='], description: 'Zoom in', group: view, run: () => zoomCentre(1.25) },
    { id: 'zoom-out', keys: ['-'], description: 'Zoom out', group: view, run: () => zoomCentre(0.8) },
    { id: 'wl-file', keys: ['d'], description: 'Window/level: file default', group: view, run: preset('file') },
    { id: 'wl-auto', keys: ['a'], description: 'Window/level: automatic from the data', group: view, run: preset('auto') },
    { id: 'wl-lung', keys: ['1'], description: 'Window/level: CT lung', group: view, run: preset('ct-lung') },
    { id: 'wl-bone', keys: ['2'], description: 'Window/level: CT bone', group: view, run: preset('ct-bone') },
    { id: 'wl-brain', keys: ['3'], description: 'Window/level: CT brain', group: view, run: preset('ct-brain') },
    { id: 'wl-abdomen', keys: ['4'], description: 'Window/level: CT abdomen', group: view, run: preset('ct-abdomen') },
  ];
}

/** Pointer gestures, listed in the help overlay next to the keys. */
export const MOUSE_HELP: readonly [string, string][] = [
  ['Wheel', 'Zoom about the cursor'],
  ['Space + drag, middle drag', 'Pan'],
  ['Right drag', 'Window (horizontal) / level (vertical)'],
  ['Left drag', 'Active tool'],
];

const isTyping = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

/** Registers the default shortcuts and one shortcut per tool key; installs the keydown dispatcher. */
export function useKeyboard(cmd: AppCommands): void {
  const tools = useTools((s) => s.tools);
  useEffect(() => {
    const offs = defaultShortcuts(cmd).map(registerShortcut);
    return () => offs.forEach((off) => off());
  }, [cmd]);
  useEffect(() => {
    const offs = tools
      .filter((t) => t.key)
      .map((t) =>
        registerShortcut({ id: `tool-${t.id}`, keys: [t.key as string], description: `Tool: ${t.label}`, group: 'Tools', run: () => useTools.getState().activate(t.id) }),
      );
    return () => offs.forEach((off) => off());
  }, [tools]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const combo = comboOf(e);
      // Escape and Ctrl+S work while typing too (Ctrl+S would open the browser's save-page dialog)
      if (e.defaultPrevented || (isTyping(e.target) && e.key !== 'Escape' && combo !== 'Mod+s')) return;
      const s = findShortcut(useKeymap.getState().shortcuts, combo);
      if (!s) return;
      e.preventDefault();
      s.run(e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
