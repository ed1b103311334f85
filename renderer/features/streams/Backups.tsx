import { useEffect, useState } from 'react';
import { api } from '../../api';
import type { BackupInfo, BackupProgressEvent } from '../../../api/features/streams';
import { Modal } from '../../ui/Modal';
import { formatBytes, formatCount } from '../../ui/format';
import { toastError, toastInfo } from '../toasts/store';

/** "12.3 MB of ~40 MB" while a backup or restore of `name` (backup folder) runs. */
function useProgress(name: string | undefined): BackupProgressEvent | undefined {
  const [p, setP] = useState<BackupProgressEvent>();
  useEffect(() => {
    setP(undefined);
    if (!name) return;
    return api.on('streams.backupProgress', (ev) => ev.name === name && setP(ev));
  }, [name]);
  return p;
}

function progressText(p: BackupProgressEvent | undefined): string {
  if (!p) return 'starting…';
  const of = p.totalBytes > 0 ? ` of ~${formatBytes(p.totalBytes)}` : '';
  return `${formatBytes(p.bytes)}${of}`;
}

/** Stream detail action: back the stream up into `<data folder>/backups/<stream>-<time>`. */
export function BackupButton({ stream }: { stream: string }) {
  const [running, setRunning] = useState<string>();
  const progress = useProgress(running);
  const run = async () => {
    const name = `${stream}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    setRunning(name);
    try {
      const b = await api.call('streams.backup', { stream, name });
      toastInfo(
        'Backup written',
        `${b.stream}: ${formatCount(b.messages)} messages, ${b.consumers} consumers → backups/${b.name}`,
      );
    } catch (err) {
      toastError(`Could not back up ${stream}`, err);
    } finally {
      setRunning(undefined);
    }
  };
  return (
    <button
      className="btn"
      onClick={() => void run()}
      disabled={running !== undefined}
      title="Messages and consumers, in the layout nats stream backup writes"
      data-testid="backup-stream"
    >
      {running ? `Backing up… ${progressText(progress)}` : 'Back up'}
    </button>
  );
}

/** Streams screen action: the backups in the data folder, each restorable. */
export function BackupsButton({ disabled }: { disabled: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button className="btn" onClick={() => setOpen(true)} disabled={disabled} data-testid="stream-backups">
        Backups…
      </button>
      {open && <BackupsDialog onClose={() => setOpen(false)} />}
    </>
  );
}

function BackupsDialog({ onClose }: { onClose: () => void }) {
  const [list, setList] = useState<{ dir: string; backups: BackupInfo[] }>();
  const [restoring, setRestoring] = useState<string>();
  const progress = useProgress(restoring);
  const load = () => {
    api
      .call('streams.backups')
      .then(setList)
      .catch((err: unknown) => toastError('Could not list backups', err));
  };
  useEffect(load, []);
  const restore = async (b: BackupInfo) => {
    setRestoring(b.name);
    try {
      const r = await api.call('streams.restore', { name: b.name });
      toastInfo(
        'Stream restored',
        `${r.stream}: ${formatCount(r.messages)} messages, last sequence ${r.lastSeq}`,
      );
    } catch (err) {
      toastError(`Could not restore ${b.stream}`, err);
    } finally {
      setRestoring(undefined);
    }
  };
  return (
    <Modal title="Stream backups" onClose={onClose} wide testId="stream-backups-dialog">
      <p className="muted">
        {list ? `In ${list.dir}. ` : ''}Restoring recreates the stream it was taken from, which must not
        exist.
      </p>
      {list && list.backups.length === 0 && <p>No backups yet: use Back up on a stream.</p>}
      <table className="table">
        <tbody>
          {list?.backups.map((b) => (
            <tr key={b.name} data-testid="backup-row">
              <td>{b.name}</td>
              <td>{b.stream}</td>
              <td>{formatCount(b.messages)} msgs</td>
              <td>last seq {formatCount(b.lastSeq)}</td>
              <td>{formatBytes(b.bytes)}</td>
              <td>
                <button
                  className="btn small"
                  disabled={restoring !== undefined}
                  onClick={() => void restore(b)}
                  data-testid="restore-backup"
                >
                  {restoring === b.name ? `Restoring… ${progressText(progress)}` : 'Restore'}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
