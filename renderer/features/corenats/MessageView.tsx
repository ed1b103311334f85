import { useMemo, useState } from 'react';
import type { CoreMessage } from '../../../api/features/corenats';
import { HeaderList } from '../../ui/HeaderList';
import { JsonView } from '../../ui/JsonView';
import { formatBytes } from '../../ui/format';
import {
  base64ToBytes,
  bytesToText,
  defaultView,
  hexDump,
  tryParseJson,
  type PayloadView,
} from '../messages/payload';
import { formatTime } from '../streams/format';
import { Segmented } from '../../ui/Segmented';

const VIEWS: PayloadView[] = ['json', 'text', 'hex'];

/** One received message or reply: subject, reply subject, headers and payload (JSON / text / hex). */
export function MessageView({
  m,
  testId,
  extra,
  inline,
}: {
  m: CoreMessage;
  testId: string;
  extra?: string;
  /** Inside a form (the reply) rather than a pane of its own. */
  inline?: boolean;
}) {
  const [view, setView] = useState<PayloadView>(defaultView(m.contentType));
  const bytes = useMemo(() => base64ToBytes(m.data), [m.data]);
  const text = useMemo(() => bytesToText(bytes), [bytes]);
  const json = useMemo(() => (view === 'json' ? tryParseJson(text) : undefined), [view, text]);
  const headers = Object.entries(m.headers ?? {});
  return (
    <div className={`msg-detail${inline ? ' cn-inline' : ''}`} data-testid={testId}>
      <div className="min0">
        <div className="mono msg-detail-subject cn-wrap" data-testid={`${testId}-subject`}>
          {m.subject}
        </div>
        <div className="muted small">
          {formatTime(m.time)} · {formatBytes(m.size)}
          {m.truncated && ` · first ${formatBytes(bytes.length)} shown`}
          {extra && ` · ${extra}`}
        </div>
        {m.reply && (
          <div className="muted small cn-wrap">
            reply to <span className="mono">{m.reply}</span>
          </div>
        )}
      </div>
      {headers.length > 0 && <HeaderList headers={headers} testId={`${testId}-headers`} />}
      <Segmented
        ariaLabel="Payload view"
        options={VIEWS}
        value={view}
        onChange={setView}
        label={(v) => (v === 'json' ? 'JSON' : v)}
      />
      <div className="msg-payload" data-testid={`${testId}-payload`}>
        {view === 'json' && json?.ok ? (
          <JsonView value={json.value} />
        ) : (
          <>
            {view === 'json' && <p className="muted small">Not valid JSON — shown as text.</p>}
            <pre className="mono">
              {(view === 'hex' ? hexDump(bytes) : text) || <span className="muted">(empty payload)</span>}
            </pre>
          </>
        )}
      </div>
    </div>
  );
}
