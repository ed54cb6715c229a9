// Right column: the panels listed in slots.tsx (RIGHT_PANELS), each collapsible and isolated by an
// error boundary. Shows a short note while no panel is registered.
import { useEffect, useRef, useState } from 'react';
import { ErrorBoundary } from './ErrorBoundary';
import { RIGHT_PANELS, type Slot } from './slots';
import { onOpenPanel } from '../ui/shell/panels';

function Panel({ slot }: { slot: Slot }) {
  const [open, setOpen] = useState(!slot.collapsed);
  const ref = useRef<HTMLElement>(null);
  useEffect(
    () =>
      onOpenPanel(slot.id, () => {
        setOpen(true);
        requestAnimationFrame(() => ref.current?.scrollIntoView({ block: 'nearest' }));
      }),
    [slot.id],
  );
  return (
    <section className="panel" data-testid={`panel-${slot.id}`} ref={ref}>
      <button type="button" className="panel-title toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        <span className="chevron">{open ? '▾' : '▸'}</span> {slot.title}
      </button>
      {open && (
        <ErrorBoundary name={slot.id}>
          <slot.Component />
        </ErrorBoundary>
      )}
    </section>
  );
}

export function RightPanel() {
  return (
    <aside className="right" data-testid="right-column">
      {RIGHT_PANELS.length === 0 ? (
        <section className="panel">
          <h2 className="panel-title">Prompts</h2>
          <p className="hint">The prompt, results and model panels appear here.</p>
        </section>
      ) : (
        RIGHT_PANELS.map((s) => <Panel key={s.id} slot={s} />)
      )}
    </aside>
  );
}
