import './data-views.css';
import { useState } from 'react';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Containers deeper than this start collapsed so a huge document opens quickly. */
const OPEN_DEPTH = 2;
/** Children shown before a "show more" button (keeps big arrays cheap to render). */
const CHUNK = 200;

/** A pretty, collapsible JSON tree. */
export function JsonView({ value, testId = 'json-view' }: { value: unknown; testId?: string }) {
  return (
    <div className="json-view mono" data-testid={testId}>
      <Node value={value as Json} depth={0} last />
    </div>
  );
}

function Scalar({ value }: { value: Json }) {
  if (value === null) return <span className="j-null">null</span>;
  switch (typeof value) {
    case 'string':
      return <span className="j-str">{JSON.stringify(value)}</span>;
    case 'number':
      return <span className="j-num">{String(value)}</span>;
    case 'boolean':
      return <span className="j-bool">{String(value)}</span>;
    default:
      return <span>{String(value)}</span>;
  }
}

function Node({ name, value, depth, last }: { name?: string; value: Json; depth: number; last: boolean }) {
  const [open, setOpen] = useState(depth < OPEN_DEPTH);
  const [shown, setShown] = useState(CHUNK);
  const comma = last ? '' : ',';
  const key = name !== undefined && (
    <>
      <span className="j-key" data-testid="json-key">
        {JSON.stringify(name)}
      </span>
      :{' '}
    </>
  );
  if (value === null || typeof value !== 'object') {
    return (
      <div className="j-line">
        {key}
        <Scalar value={value} />
        {comma}
      </div>
    );
  }
  const isArr = Array.isArray(value);
  const entries: [string | undefined, Json][] = isArr
    ? value.map((v) => [undefined, v])
    : Object.entries(value);
  const [o, c] = isArr ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    return (
      <div className="j-line">
        {key}
        {o}
        {c}
        {comma}
      </div>
    );
  }
  return (
    <div className="j-node">
      <div className="j-line">
        <button
          className="j-toggle"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
          aria-label={open ? 'Collapse' : 'Expand'}
          data-testid="json-toggle"
        >
          {open ? '▾' : '▸'}
        </button>
        {key}
        {o}
        {!open && (
          <>
            <button className="j-summary" onClick={() => setOpen(true)}>
              {isArr ? `${entries.length} items` : `${entries.length} keys`}
            </button>
            {c}
            {comma}
          </>
        )}
      </div>
      {open && (
        <>
          <div className="j-children">
            {entries.slice(0, shown).map(([k, v], i) => (
              <Node key={k ?? i} name={k} value={v} depth={depth + 1} last={i === entries.length - 1} />
            ))}
            {entries.length > shown && (
              <button className="link small" onClick={() => setShown(shown + CHUNK)}>
                show {Math.min(CHUNK, entries.length - shown)} more of {entries.length - shown}
              </button>
            )}
          </div>
          <div className="j-line">
            {c}
            {comma}
          </div>
        </>
      )}
    </div>
  );
}
