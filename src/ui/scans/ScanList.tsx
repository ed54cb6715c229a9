// Saved scans, most recently used first. Actions are passed in by the app (no storage logic here).
import { useScans } from '../../state/scans';
import { ScanItem } from './ScanItem';

interface Props {
  onOpen(id: string): void;
  onRename(id: string, name: string): void;
  onDelete(id: string): void;
}

export function ScanList(props: Props) {
  const list = useScans((s) => s.list);
  const activeId = useScans((s) => s.activeId);
  return (
    <section className="panel" data-testid="scan-list">
      <h2 className="panel-title">
        Scans <span className="count">{list.length}</span>
      </h2>
      {list.length === 0 ? (
        <p className="hint">No saved scans yet. Open a file (PNG, JPEG, TIFF, DICOM, NIfTI, NRRD, MetaImage) or drop it here, or try a demo below.</p>
      ) : (
        <ul className="scan-items">
          {list.map((s) => (
            <ScanItem key={s.id} scan={s} active={s.id === activeId} {...props} />
          ))}
        </ul>
      )}
    </section>
  );
}
