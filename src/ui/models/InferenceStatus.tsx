// Status bar item: model, backend and why (tooltip), threads, progress, last prompt timings.
import { useInference } from '../../state/inference';
import { formatMs } from './format';

export function InferenceStatus() {
  const s = useInference();
  const t = s.lastTimings;
  const progress = s.progress?.total ? ` ${Math.round(((s.progress.loaded ?? 0) / s.progress.total) * 100)} %` : '';
  return (
    <>
      <span className="status-item" data-testid="status-model" data-state={s.state} title={s.error ?? undefined}>
        {s.state === 'loading' ? `Loading model…${progress}` : s.state === 'error' ? `Model error` : (s.model?.modelName ?? 'Model loads with the first scan')}
      </span>
      {s.backend && (
        <span className="status-item" data-testid="status-backend" title={s.reason ?? undefined}>
          {s.backend === 'webgpu' ? 'WebGPU' : `WASM ×${s.threads ?? 1}`}
        </span>
      )}
      {t && (
        <span className="status-item mono" data-testid="status-timings" title="text + decoder (vision when the scan was new), pre/post">
          {t.visionMs !== undefined ? `vision ${formatMs(t.visionMs)} · ` : ''}text {formatMs(t.textMs)} · dec {formatMs(t.decoderMs)} · total {formatMs(t.totalMs)}
        </span>
      )}
    </>
  );
}
