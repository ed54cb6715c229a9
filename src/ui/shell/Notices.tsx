// Toasts for errors and information. Errors stay until dismissed; info fades after a few seconds.
import { useEffect } from 'react';
import { useNotices, type Notice } from '../../state/notices';

function Toast({ n }: { n: Notice }) {
  const dismiss = useNotices((s) => s.dismiss);
  useEffect(() => {
    if (n.kind === 'error') return;
    const t = setTimeout(() => dismiss(n.id), 5000);
    return () => clearTimeout(t);
  }, [n, dismiss]);
  return (
    <div className={`toast ${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'} data-testid="notice" data-kind={n.kind}>
      <div className="toast-body">
        <strong data-testid="notice-title">{n.title}</strong>
        <p data-testid="notice-message">{n.message}</p>
      </div>
      <button type="button" className="icon" aria-label="Dismiss" onClick={() => dismiss(n.id)} data-testid="notice-dismiss">
        ×
      </button>
    </div>
  );
}

export function Notices() {
  const notices = useNotices((s) => s.notices);
  return (
    <div className="toasts" data-testid="notices">
      {notices.map((n) => (
        <Toast key={n.id} n={n} />
      ))}
    </div>
  );
}
