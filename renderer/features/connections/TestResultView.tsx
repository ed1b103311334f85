import type { TestResult } from '../../../api/features/connections';
import { formatRtt } from '../../ui/format';

/** One line: "OK · v2.9.10 · RTT 0.4 ms · JetStream yes" or the error in the server's words. */
export function TestResultView({ result }: { result: TestResult | 'running' }) {
  if (result === 'running')
    return (
      <span className="muted" data-testid="test-result">
        Testing…
      </span>
    );
  if (!result.ok) {
    return (
      <span className="test-result bad" data-testid="test-result" data-ok="false">
        <span className="dot bad" /> {result.error?.message ?? 'failed'}
        {result.error?.code && <span className="muted"> ({result.error.code})</span>}
      </span>
    );
  }
  return (
    <span className="test-result ok" data-testid="test-result" data-ok="true">
      <span className="dot ok" /> OK{result.version && ` · v${result.version}`}
      {result.rttMs !== undefined && ` · RTT ${formatRtt(result.rttMs)}`} · JetStream{' '}
      {result.jetstream ? 'yes' : 'no'}
    </span>
  );
}
