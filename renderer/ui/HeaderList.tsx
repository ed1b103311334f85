/** A message's headers (stream or core NATS), each name with its values joined. */
export function HeaderList({ headers, testId }: { headers: [string, string[]][]; testId: string }) {
  return (
    <dl className="kv compact" data-testid={testId}>
      {headers.map(([k, vs]) => (
        <div key={k} className="contents">
          <dt className="mono">{k}</dt>
          <dd className="mono">{vs.join(', ')}</dd>
        </div>
      ))}
    </dl>
  );
}
