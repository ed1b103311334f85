import { useState, type ReactNode } from 'react';
import { Modal, ModalActions } from '../../ui/Modal';
import type { Config } from './config-form';
import { JsonText } from './JsonText';

/**
 * The shell the stream and consumer editors share: a wide modal with a Form / JSON (full config)
 * switch, the draft's issues and the server's refusal under it, and a footer that walks
 * edit → review → apply. The editors keep their fields and what "submit" and "review" mean.
 * Test ids are `<testIdPrefix>-submit`, `-back`, `-tab-form`, `-tab-json`, `-errors`, `-server-error`.
 */
export function ConfigEditorModal({
  title,
  testId,
  testIdPrefix,
  jsonTestId,
  onClose,
  config,
  setConfig,
  setJsonError,
  issues,
  serverError,
  status,
  review,
  onBack,
  submitLabel,
  submitDisabled,
  onSubmit,
  children,
}: {
  title: string;
  testId: string;
  testIdPrefix: string;
  jsonTestId: string;
  onClose: () => void;
  config: Config;
  setConfig: (c: Config) => void;
  setJsonError: (e: string | undefined) => void;
  /** The draft's problems, shown once the user has tried to submit. */
  issues?: string[];
  serverError?: string;
  /** A line at the start of the footer. */
  status?: ReactNode;
  /** The review step (a diff) in place of the form; with it the footer offers "Back to editing". */
  review?: ReactNode;
  onBack: () => void;
  submitLabel: string;
  submitDisabled: boolean;
  onSubmit: () => void;
  /** The form tab's fields. */
  children: ReactNode;
}) {
  const [tab, setTab] = useState<'form' | 'json'>('form');
  const id = (s: string) => `${testIdPrefix}-${s}`;
  return (
    <Modal
      title={title}
      onClose={onClose}
      wide
      testId={testId}
      footer={
        <>
          {status && <span className="footer-status small muted">{status}</span>}
          {review && (
            <button className="btn" onClick={onBack} data-testid={id('back')}>
              Back to editing
            </button>
          )}
          <ModalActions
            onCancel={onClose}
            onSubmit={onSubmit}
            label={submitLabel}
            disabled={submitDisabled}
            testId={id('submit')}
          />
        </>
      }
    >
      {review ? (
        review
      ) : (
        <div className="form">
          <div className="segmented" role="tablist">
            <button
              className={tab === 'form' ? 'on' : ''}
              onClick={() => setTab('form')}
              data-testid={id('tab-form')}
            >
              Form
            </button>
            <button
              className={tab === 'json' ? 'on' : ''}
              onClick={() => setTab('json')}
              data-testid={id('tab-json')}
            >
              JSON (full config)
            </button>
          </div>
          {tab === 'json' ? (
            <JsonText value={config} onChange={setConfig} onError={setJsonError} testId={jsonTestId} />
          ) : (
            children
          )}
          {issues && (
            <div className="banner error" role="alert" data-testid={id('errors')}>
              <div className="banner-main">
                Fix before sending:
                <ul>
                  {issues.map((m) => (
                    <li key={m}>{m}</li>
                  ))}
                </ul>
              </div>
            </div>
          )}
        </div>
      )}
      {serverError && (
        <p className="error-text" role="alert" data-testid={id('server-error')}>
          {serverError}
        </p>
      )}
    </Modal>
  );
}
