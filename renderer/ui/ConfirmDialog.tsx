import { useState, type ReactNode } from 'react';
import { Modal } from './Modal';

/**
 * A confirmation for destructive actions. With `requireText` the confirm button stays disabled
 * until that exact text (usually the stream's name) is typed, so nothing is deleted by a stray click.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  requireText,
  danger = true,
  busy,
  onConfirm,
  onCancel,
  testId = 'confirm-dialog',
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  requireText?: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  testId?: string;
}) {
  const [typed, setTyped] = useState('');
  const ok = requireText === undefined || typed === requireText;
  return (
    <Modal
      title={title}
      onClose={onCancel}
      testId={testId}
      footer={
        <>
          <button className="btn" onClick={onCancel} data-testid="confirm-cancel">
            Cancel
          </button>
          <button
            className={`btn ${danger ? 'danger' : 'primary'}`}
            onClick={onConfirm}
            disabled={!ok || busy}
            data-testid="confirm-ok"
            autoFocus={requireText === undefined}
          >
            {busy ? 'Working…' : confirmLabel}
          </button>
        </>
      }
    >
      <div className="form">
        <div>{children}</div>
        {requireText !== undefined && (
          <div className="field">
            <label htmlFor="confirm-typed">
              Type <code>{requireText}</code> to confirm
            </label>
            <input
              id="confirm-typed"
              autoFocus
              autoComplete="off"
              spellCheck={false}
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              onKeyDown={(e) => e.key === 'Enter' && ok && !busy && onConfirm()}
              data-testid="confirm-text"
            />
          </div>
        )}
      </div>
    </Modal>
  );
}
