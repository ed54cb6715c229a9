// Right column: the panels listed in slots.tsx (RIGHT_PANELS), each collapsible and isolated by an
// error boundary. Shows a short note while no panel is registered.
import { useState } from 'react';
import { ErrorBoundary } from './ErrorBoundary';
import { RIGHT_PANELS, type Slot } from './slots';

function Panel({ slot }: { slot: Slot }) {
  const [open, setOpen] = useState(!slot.collapsed);
  return (
    <section className="panel" data-testid={`panel-${slot.id}`}>
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
