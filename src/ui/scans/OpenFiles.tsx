// Hidden file input (opened from the toolbar or the `o` key) and a window-wide drop target.
import { useEffect, useState, type RefObject } from 'react';

interface Props {
  inputRef: RefObject<HTMLInputElement | null>;
  onFiles(files: File[]): void;
}

export const ACCEPT = '.png,.jpg,.jpeg,.webp,.bmp,.tif,.tiff,.dcm,.dicom,.nii,.nii.gz,.gz,image/*,application/dicom';

export function OpenFiles({ inputRef, onFiles }: Props) {
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
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length) onFiles(files);
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
      {over && <div className="drop-hint">Drop scans to open them</div>}
    </>
  );
}
