// Status bar item: model (and its loading progress in bytes), compute backend in plain words (why: tooltip),
// and how long the last prompt took, in words.
import { useInference } from '../../state/inference';
import { backendLabel, plainReason, backendPreference } from './backendChoice';
import { durationWords, loadProgressText } from './format';

export function InferenceStatus() {
  const s = useInference();
  const t = s.lastTimings;
  return (
    <>
      <span className="status-item" data-testid="status-model" data-state={s.state} title={s.error ?? undefined}>
        {s.state === 'loading' ? loadProgressText(s.progress) : s.state === 'error' ? 'Model error' : (s.model?.modelName ?? 'Model not loaded')}
      </span>
      {s.backend && (
        <span className="status-item" data-testid="status-backend" title={`${s.choiceNote ?? plainReason(s.backend, s.reason, s.softwareGpu, backendPreference())}\n\nTechnical detail: ${s.reason ?? ''}`}>
          {backendLabel(s.backend, s.threads)}
        </span>
      )}
      {t && (
        <span
          className="status-item"
          data-testid="status-timings"
          title={`Reading the image ${durationWords(t.visionMs)} (only when the scan or its window is new), reading the prompt ${durationWords(t.textMs)}, drawing the mask ${durationWords(t.decoderMs)}`}
        >
          Last prompt took {durationWords(t.totalMs)}
        </span>
      )}
    </>
  );
}
