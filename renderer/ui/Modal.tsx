import { useEffect, useRef, type ReactNode } from 'react';
import { useFocusTrap } from './focus-trap';
import { Icon } from './Icon';

/** Open dialogs, newest last: Esc closes only the top one. */
const stack: symbol[] = [];

export function useEscape(onClose: () => void): void {
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });
  useEffect(() => {
    const me = Symbol('dialog');
    stack.push(me);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && stack[stack.length - 1] === me) {
        e.preventDefault();
        e.stopPropagation();
        close.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      stack.splice(stack.indexOf(me), 1);
    };
  }, []);
}

interface ModalProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  /** 'drawer' slides in from the right; 'dialog' is centred. */
  variant?: 'dialog' | 'drawer';
  wide?: boolean;
  testId?: string;
}

export function Modal({ title, onClose, children, footer, variant = 'dialog', wide, testId }: ModalProps) {
  useEscape(onClose);
  const ref = useRef<HTMLDivElement>(null);
  useFocusTrap(ref);
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        tabIndex={-1}
        className={`modal ${variant}${wide ? ' wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        data-testid={testId}
      >
        <header className="modal-header">
          <h2>{title}</h2>
          <button
            className="btn icon-btn ghost"
            onClick={onClose}
            aria-label="Close"
            data-testid="modal-close"
          >
            <Icon name="close" />
          </button>
        </header>
        <div className="modal-body">{children}</div>
        {footer && <footer className="modal-footer">{footer}</footer>}
      </div>
    </div>
  );
}

/** The usual dialog footer: Cancel, then the primary action (disabled while busy). */
export function ModalActions({
  onCancel,
  onSubmit,
  label,
  disabled,
  testId,
}: {
  onCancel: () => void;
  onSubmit: () => void;
  label: ReactNode;
  disabled?: boolean;
  testId: string;
}) {
  return (
    <>
      <button className="btn" onClick={onCancel}>
        Cancel
      </button>
      <button className="btn primary" onClick={onSubmit} disabled={disabled} data-testid={testId}>
        {label}
      </button>
    </>
  );
}

/** A small yes/no confirmation built on Modal. */
export function ConfirmDialog(props: {
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <Modal
      title={props.title}
      onClose={props.onCancel}
      testId="confirm-dialog"
      footer={
        <>
          <button className="btn" onClick={props.onCancel} data-testid="confirm-cancel">
            Cancel
          </button>
          <button
            className={`btn ${props.danger ? 'danger' : 'primary'}`}
            onClick={props.onConfirm}
            data-testid="confirm-ok"
            autoFocus
          >
            {props.confirmLabel}
          </button>
        </>
      }
    >
      <p>{props.message}</p>
    </Modal>
  );
}
