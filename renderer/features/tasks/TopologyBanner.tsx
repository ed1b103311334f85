import { useState } from 'react';
import type { ApplyTopologyResult, TopologyReport, TopologyRisk } from '../../../api/features/tasks';
import { api } from '../../api';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { DiffTable } from '../../ui/DiffTable';
import { toastError, toastInfo } from '../toasts/store';
import { useTasks } from './store';

/**
 * Shown when the TASKS stream has settings that can delete tasks nobody has run yet (risks,
 * explained), and when the stream or its consumers exist with another config than JetDeck
 * wants ('differs': the diff and an Apply with confirmation — never applied silently) or could
 * not be checked ('error').
 */
export function TopologyBanner({ report }: { report: TopologyReport }) {
  return (
    <>
      {report.risks.length > 0 && <RiskBanner risks={report.risks} />}
      <DiffBanner report={report} />
    </>
  );
}

function RiskBanner({ risks }: { risks: TopologyRisk[] }) {
  return (
    <div className="banner error" role="alert" data-testid="topology-risk" data-state="at_risk">
      <div className="banner-main">
        <strong>The TASKS stream can delete tasks before any worker runs them.</strong>
        <ul className="small">
          {risks.map((r) => (
            <li key={r.code} data-risk={r.code}>
              {r.message}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

function DiffBanner({ report }: { report: TopologyReport }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ApplyTopologyResult>();

  if (report.state === 'error') {
    return (
      <div className="banner error" role="alert" data-testid="topology-banner" data-state="error">
        <div className="banner-main">
          <strong>The task queue's stream could not be set up.</strong>
          <p className="small">{report.error ?? report.stream.error ?? 'unknown error'}</p>
        </div>
      </div>
    );
  }
  if (report.state !== 'differs') return null;

  const apply = async () => {
    setBusy(true);
    try {
      const r = await api.call('tasks.applyTopology', { confirm: true });
      setResult(r);
      useTasks.getState().set({ topology: r.report });
      toastInfo(
        'Task queue settings applied',
        r.updated.length ? `Updated ${r.updated.join(', ')}` : undefined,
      );
    } catch (err) {
      toastError('Could not apply the task queue settings', err);
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <div className="banner warn" data-testid="topology-banner" data-state="differs">
      <div className="banner-main form">
        <div>
          <strong>The TASKS stream or its consumers differ from what JetDeck expects.</strong>
          <p className="small muted">
            Someone created them with other settings. JetDeck leaves them as they are until you apply its
            settings.
          </p>
        </div>
        <DiffTable
          testId="topology-diff"
          rows={report.diff.map((d) => ({
            path: d.path,
            kind: 'changed',
            before: d.current,
            after: d.wanted,
            problem: d.updatable
              ? undefined
              : 'cannot be changed in place (needs the stream or consumer recreated)',
          }))}
        />
        {result && result.notApplied.length > 0 && (
          <ul className="small" data-testid="topology-not-applied">
            {result.notApplied.map((n) => (
              <li key={n.path}>
                <code>{n.path}</code>: {n.reason}
              </li>
            ))}
          </ul>
        )}
        <div className="actions">
          <button className="btn primary" onClick={() => setConfirming(true)} data-testid="topology-apply">
            Apply JetDeck's settings…
          </button>
        </div>
      </div>
      {confirming && (
        <ConfirmDialog
          title="Change the task queue's stream and consumers?"
          confirmLabel="Apply"
          busy={busy}
          onConfirm={() => void apply()}
          onCancel={() => setConfirming(false)}
        >
          <p>
            This updates {report.diff.filter((d) => d.updatable).length} setting(s) on the server for every
            client using the TASKS stream. Settings that cannot change in place are left alone and listed
            afterwards.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
