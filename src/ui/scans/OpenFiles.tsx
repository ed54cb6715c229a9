// Hidden file input (opened from the toolbar or the `o` key) and a window-wide drop target.
import { useEffect, useState, type RefObject } from 'react';

interface Props {
  inputRef: RefObject<HTMLInputElement | null>;
  /** A second input that picks a whole folder (a DICOM series); optional. */
  folderRef?: RefObject<HTMLInputElement | null>;
  onFiles(files: File[]): void;
}

/** Every file under a dropped entry (folders walked depth-first; hidden files such as .DS_Store skipped). */
async function filesOf(entry: FileSystemEntry): Promise<File[]> {
  if (entry.name.startsWith('.')) return [];
  if (entry.isFile) return new Promise((resolve) => (entry as FileSystemFileEntry).file((f) => resolve([f]), () => resolve([])));
  if (!entry.isDirectory) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries returns at most ~100 entries per call: read until it returns none
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve) => reader.readEntries(resolve, () => resolve([])));
    if (!batch.length) break;
    children.push(...batch);
  }
  children.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  return (await Promise.all(children.map(filesOf))).flat();
}

/** The dropped files, with dropped folders expanded to the files inside them. */
export async function droppedFiles(dt: DataTransfer): Promise<File[]> {
  const entries = [...dt.items].map((i) => (i.kind === 'file' ? i.webkitGetAsEntry?.() : null));
  if (!entries.length || entries.some((e) => !e)) return [...dt.files];
  return (await Promise.all(entries.map((e) => filesOf(e as FileSystemEntry)))).flat();
}

export const ACCEPT = '.png,.jpg,.jpeg,.webp,.bmp,.tif,.tiff,.dcm,.dicom,.nii,.nii.gz,.gz,.nrrd,.mha,image/*,application/dicom';

export function OpenFiles({ inputRef, folderRef, onFiles }: Props) {
  const [over, setOver] = useState(false);
  useEffect(() => {
    const enter = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) {
        e.preventDefault();
        setOver(true);
      }
    };
    const leave = (e: DragEvent) => {
      if (!e.relatedTarget) setOver(false);
    };
    const drop = (e: DragEvent) => {
      e.preventDefault();
      setOver(false);
      if (!e.dataTransfer) return;
      // entries must be taken during the event; the walk itself may finish later
      void droppedFiles(e.dataTransfer).then((files) => {
        if (files.length) onFiles(files);
      });
    };
    window.addEventListener('dragover', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [onFiles]);
  return (
    <>
      <input
        ref={inputRef}
        type="file"
        multiple
        accept={ACCEPT}
        hidden
        data-testid="file-input"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length) onFiles(files);
        }}
      />
      {folderRef && (
        <input
          ref={folderRef}
          type="file"
          hidden
          data-testid="folder-input"
          {...{ webkitdirectory: '', directory: '' }}
          onChange={(e) => {
            const files = [...(e.target.files ?? [])].filter((f) => !f.name.startsWith('.'));
            e.target.value = '';
            if (files.length) onFiles(files);
          }}
        />
      )}
      {over && <div className="drop-hint">Drop scans or a folder (a DICOM series) to open them</div>}
    </>
  );
}
