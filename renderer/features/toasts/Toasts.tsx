import { useState } from 'react';
import { Icon } from '../../ui/Icon';
import { useToasts, type Toast } from './store';

export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useToasts((s) => s.dismiss);
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState(false);
  const details = toast.error ? JSON.stringify(toast.error, null, 2) : '';
  const copy = () => {
    void navigator.clipboard?.writeText(details).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <div
      className={`toast ${toast.kind}`}
      role={toast.kind === 'error' ? 'alert' : 'status'}
      data-testid={`toast-${toast.kind}`}
    >
      <div className="toast-head">
        <strong>{toast.title}</strong>
        <button
          className="btn icon-btn ghost"
          onClick={() => dismiss(toast.id)}
          aria-label="Dismiss"
          data-testid="toast-dismiss"
        >
          <Icon name="close" size={14} />
        </button>
      </div>
      {toast.message && <p className="toast-message">{toast.message}</p>}
      {toast.error && (
        <div className="toast-details">
          <button className="link" onClick={() => setOpen(!open)} data-testid="toast-details">
            {open ? 'Hide details' : 'Details'}
          </button>
          {open && (
            <>
              <dl className="kv compact">
                <dt>code</dt>
                <dd>{toast.error.code}</dd>
                <dt>name</dt>
                <dd>{toast.error.name}</dd>
              </dl>
              <pre className="code">{details}</pre>
              <button className="btn small" onClick={copy} data-testid="toast-copy">
                {copied ? 'Copied' : 'Copy'}
              </button>
            </>
          )}
        </div>
      )}
    </div>
  );
}
