import { useState } from 'react';
import type { MonitorSourceInfo, MonitorSourceKind } from '../../../api/features/monitor';
import { navigate } from '../../navigation';

export const SOURCE_LABEL: Record<MonitorSourceKind, string> = {
  system: 'System account',
  http: 'HTTP monitoring',
  account: 'Account-level view',
};

/** Which source the monitor uses, what it cannot see, and how to get more. */
export function SourceBanner({ source }: { source: MonitorSourceInfo }) {
  const [open, setOpen] = useState(false);
  const best = source.source === 'system';
  // Only the account-level view misses most of the picture; HTTP monitoring is a fair second.
  const tone = source.source === 'account' ? 'warn' : 'info';
  return (
    <div className={`banner ${tone} source-banner`} data-testid="monitor-source" data-source={source.source}>
      <div className="banner-main">
        <div className="source-head">
          <span className="badge accent" data-testid="monitor-source-kind">
            {SOURCE_LABEL[source.source]}
          </span>
          <span className="small">{source.explanation}</span>
        </div>
        {open && (
          <div className="source-detail small">
            <Capabilities c={source.capabilities} />
            {source.fallbacks.length > 0 && (
              <ul data-testid="monitor-source-fallbacks">
                {source.fallbacks.map((f) => (
                  <li key={f.source}>
                    <strong>{SOURCE_LABEL[f.source]}</strong> not used: {f.reason}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </div>
      <div className="source-actions">
        <button className="btn small ghost" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Less' : 'Details'}
        </button>
        {!best && (
          <button
            className="btn small"
            onClick={() => navigate('connections')}
            data-testid="monitor-add-system-creds"
          >
            Add system credentials…
          </button>
        )}
      </div>
    </div>
  );
}

function Capabilities({ c }: { c: MonitorSourceInfo['capabilities'] }) {
  const items: [string, boolean][] = [
    ['every server of the cluster', c.allServers],
    ['CPU, memory, server traffic (varz)', c.varz],
    ['JetStream per server (jsz)', c.jsz],
    [c.connz === 'account' ? "connections (this account's only)" : 'all connections', c.connz !== 'none'],
    ['routes, gateways, leaf nodes', c.routes],
    ['server health', c.health],
    ['system advisories', c.systemAdvisories],
  ];
  return (
    <div className="capabilities">
      {items.map(([label, yes]) => (
        <span key={label} className={yes ? 'tone-ok' : 'muted'}>
          {yes ? '✓' : '✗'} {label}
        </span>
      ))}
    </div>
  );
}
