import { useCallback, useEffect, useState } from 'react';
import type { HostFile, HostFolder } from '../../../api/features/files';
import { api } from '../../api';
import { errorMessage } from '../streams/format';
import './host-file-select.css';

interface Listing {
  path: string;
  files: HostFile[];
  canPick: boolean;
}

/**
 * Picks a file JetDeck may use on the machine running it: one in its `<data>/<folder>` folder
 * (listed by the server), the `--handlers` module, or — in the desktop app — one chosen in a
 * native file dialog. The API takes only these names, never a path typed here.
 */
export function HostFileSelect({
  id,
  folder,
  value,
  onChange,
  emptyLabel,
  testId,
}: {
  id: string;
  folder: HostFolder;
  value: string;
  onChange: (name: string) => void;
  /** The first option, meaning "none" (value ''). */
  emptyLabel: string;
  testId?: string;
}) {
  const [listing, setListing] = useState<Listing>();
  const [error, setError] = useState<string>();
  const refresh = useCallback(() => {
    api.call('files.list', { folder }).then(
      (l) => {
        setListing(l);
        setError(undefined);
      },
      (e: unknown) => setError(errorMessage(e)),
    );
  }, [folder]);
  useEffect(refresh, [refresh]);

  const pick = async () => {
    try {
      const r = await api.call('files.pick', { folder });
      if (r.name) {
        onChange(r.name);
        refresh();
      }
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const names = listing?.files.map((f) => f.name) ?? [];
  // Keep the current value selectable even before the listing arrives (or after the file went away).
  if (value && !names.includes(value)) names.unshift(value);

  return (
    <>
      <div className="host-file-row">
        <select id={id} value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
          <option value="">{emptyLabel}</option>
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <button type="button" className="btn" onClick={refresh} data-testid={testId && `${testId}-refresh`}>
          Refresh
        </button>
        {listing?.canPick && (
          <button type="button" className="btn" onClick={() => void pick()}>
            Browse…
          </button>
        )}
      </div>
      <span className="field-hint" data-testid={testId && `${testId}-folder`}>
        {error ?? (listing ? `Files in ${listing.path} on the JetDeck host` : 'Loading…')}
      </span>
    </>
  );
}
