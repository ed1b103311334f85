import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import type { ConsumerCapabilities, ConsumerSummary } from '../../../api/features/streams';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { JsonView } from '../../ui/JsonView';
import { Modal } from '../../ui/Modal';
import { ErrorState, Skeleton } from '../../ui/States';
import { formatAgo, formatCount } from '../../ui/format';
import { errorMessage, formatNanos } from '../streams/format';
import { toastError, toastInfo } from '../toasts/store';
import { ConsumerEditor } from './ConsumerEditor';

type Info = ConsumerSummary & { capabilities: ConsumerCapabilities };

/** One consumer: state, config and admin (edit, pause/resume, reset, delete). */
export function ConsumerDetail({
  stream,
  name,
  onClose,
}: {
  stream: string;
  name: string;
  onClose: () => void;
}) {
  const [info, setInfo] = useState<Info>();
  const [error, setError] = useState<unknown>();
  const [dialog, setDialog] = useState<'edit' | 'delete' | 'pause'>();
  const [pauseMinutes, setPauseMinutes] = useState('10');
  const load = useCallback(() => {
    api.call('consumers.info', { stream, name }).then(setInfo, setError);
  }, [stream, name]);
  useEffect(load, [load]);

  const act = async (label: string, fn: () => Promise<unknown>, close = false) => {
    try {
      await fn();
      toastInfo(label, `${stream} › ${name}`);
      setDialog(undefined);
      if (close) onClose();
      else load();
    } catch (err) {
      toastError(`Could not ${label.toLowerCase()}`, err);
    }
  };
  const caps = info?.capabilities;

  return (
    <Modal title={`Consumer ${name}`} onClose={onClose} variant="drawer" testId="consumer-detail">
      {error !== undefined && !info ? (
        <ErrorState title="Could not read the consumer" message={errorMessage(error)} onRetry={load} />
      ) : !info ? (
        <Skeleton rows={5} />
      ) : (
        <div className="form">
          <div className="actions">
            <button className="btn" onClick={() => setDialog('edit')} data-testid="edit-consumer">
              Edit
            </button>
            {info.paused ? (
              <button
                className="btn"
                disabled={!caps?.pause.supported}
                title={caps?.pause.reason}
                onClick={() =>
                  void act('Consumer resumed', () => api.call('consumers.resume', { stream, name }))
                }
                data-testid="resume-consumer"
              >
                Resume
              </button>
            ) : (
              <button
                className="btn"
                disabled={!caps?.pause.supported}
                title={caps?.pause.reason}
                onClick={() => setDialog('pause')}
                data-testid="pause-consumer"
              >
                Pause…
              </button>
            )}
            <button
              className="btn"
              disabled={!caps?.reset.supported}
              title={caps?.reset.reason ?? 'Redeliver from the ack floor'}
              onClick={() => void act('Consumer reset', () => api.call('consumers.reset', { stream, name }))}
              data-testid="reset-consumer"
            >
              Reset
            </button>
            <button
              className="btn danger-ghost"
              onClick={() => setDialog('delete')}
              data-testid="delete-consumer"
            >
              Delete…
            </button>
          </div>
          {caps && (!caps.pause.supported || !caps.reset.supported) && (
            <p className="muted small" data-testid="consumer-capability-note">
              {[caps.pause, caps.reset]
                .filter((c) => !c.supported)
                .map((c) => c.reason)
                .join(' · ')}
            </p>
          )}
          <section className="card">
            <h2>State {info.paused && <span className="badge warn-badge">paused</span>}</h2>
            <dl className="kv" data-testid="consumer-state">
              <dt>Stream</dt>
              <dd>{info.stream}</dd>
              <dt>Kind</dt>
              <dd>
                {info.kind} · {info.durable ? 'durable' : 'ephemeral'} · ack {info.ackPolicy} · deliver{' '}
                {info.deliverPolicy}
              </dd>
              <dt>Filter</dt>
              <dd>{info.filterSubjects.length ? info.filterSubjects.join(', ') : 'all subjects'}</dd>
              <dt>Pending (lag)</dt>
              <dd>{formatCount(info.numPending)}</dd>
              <dt>Ack pending</dt>
              <dd>{formatCount(info.numAckPending)}</dd>
              <dt>Redelivered</dt>
              <dd>{formatCount(info.numRedelivered)}</dd>
              <dt>Waiting pulls</dt>
              <dd>{formatCount(info.numWaiting)}</dd>
              <dt>Delivered</dt>
              <dd>
                stream #{formatCount(info.delivered.streamSeq)} · consumer #
                {formatCount(info.delivered.consumerSeq)}
              </dd>
              <dt>Ack floor</dt>
              <dd>
                stream #{formatCount(info.ackFloor.streamSeq)} · consumer #
                {formatCount(info.ackFloor.consumerSeq)}
              </dd>
              <dt>Last active</dt>
              <dd>{info.lastActive ? formatAgo(info.lastActive) : 'never'}</dd>
              <dt>Ack wait</dt>
              <dd>{formatNanos(info.config.ack_wait)}</dd>
              {info.paused && info.pauseRemainingMs !== undefined && (
                <>
                  <dt>Paused for</dt>
                  <dd>{Math.round(info.pauseRemainingMs / 1000)} s more</dd>
                </>
              )}
            </dl>
          </section>
          <section className="card">
            <h2>Config</h2>
            <JsonView value={info.config} testId="consumer-config-json" />
          </section>
        </div>
      )}
      {dialog === 'edit' && info && (
        <ConsumerEditor
          stream={stream}
          initial={info.config}
          capabilities={info.capabilities}
          onClose={() => setDialog(undefined)}
          onSaved={() => {
            setDialog(undefined);
            load();
          }}
        />
      )}
      {dialog === 'delete' && (
        <ConfirmDialog
          title={`Delete consumer ${name}`}
          confirmLabel="Delete consumer"
          requireText={name}
          onConfirm={() =>
            void act('Consumer deleted', () => api.call('consumers.delete', { stream, name }), true)
          }
          onCancel={() => setDialog(undefined)}
        >
          Deletes <b>{name}</b> on {stream}; its delivery state is lost.
        </ConfirmDialog>
      )}
      {dialog === 'pause' && (
        <ConfirmDialog
          title={`Pause consumer ${name}`}
          confirmLabel="Pause"
          danger={false}
          onConfirm={() =>
            void act('Consumer paused', () =>
              api.call('consumers.pause', {
                stream,
                name,
                until: new Date(Date.now() + Number(pauseMinutes) * 60_000).toISOString(),
              }),
            )
          }
          onCancel={() => setDialog(undefined)}
        >
          <label className="field">
            Pause for (minutes)
            <input
              type="number"
              min={1}
              value={pauseMinutes}
              onChange={(e) => setPauseMinutes(e.target.value)}
            />
          </label>
        </ConfirmDialog>
      )}
    </Modal>
  );
}
