// Slice/frame slider shown under the canvas for multi-frame scans.
import { useScans } from '../state/scans';
import { useView } from '../state/view';

export function FrameSlider() {
  const frames = useScans((s) => s.scan?.frames ?? 1);
  const frame = useView((s) => s.frame);
  const setFrame = useView((s) => s.setFrame);
  if (frames <= 1) return null;
  return (
    <div className="frame-slider" data-testid="frame-controls">
      <input
        type="range"
        min={0}
        max={frames - 1}
        value={frame}
        aria-label="Slice"
        data-testid="frame-slider"
        onChange={(e) => setFrame(Number(e.target.value))}
      />
      <span data-testid="frame-label">
        {frame + 1} / {frames}
      </span>
    </div>
  );
}
