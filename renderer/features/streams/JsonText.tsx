import { useEffect, useState } from 'react';
import { JsonEditor } from '../../ui/JsonEditor';
import { parseJsonObject, type Config } from './config-form';

/**
 * The shared JsonEditor bound to a config object: edits are parsed as you type, the last valid
 * object is reported upward, and invalid text stays in the editor with its error.
 */
export function JsonText({
  value,
  onChange,
  onError,
  testId = 'json-text',
  rows = 18,
}: {
  value: Config;
  onChange: (v: Config) => void;
  onError?: (message: string | undefined) => void;
  testId?: string;
  rows?: number;
}) {
  const [text, setText] = useState(() => JSON.stringify(value, null, 2));
  const [shapeError, setShapeError] = useState<string>();
  // Follow outside changes (the form) unless the text already says the same.
  useEffect(() => {
    const parsed = parseJsonObject(text);
    if (!parsed.value || JSON.stringify(parsed.value) !== JSON.stringify(value))
      setText(JSON.stringify(value, null, 2));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <>
      <JsonEditor
        label="Full configuration (server JSON: snake_case, durations in nanoseconds)"
        value={text}
        rows={rows}
        testId={testId}
        onChange={(t) => {
          setText(t);
          const r = parseJsonObject(t);
          const shape = r.error && !r.error.startsWith('not valid JSON') ? r.error : undefined;
          setShapeError(shape);
          onError?.(r.error);
          if (r.value) onChange(r.value);
        }}
      />
      {shapeError && <span className="field-error">{shapeError}</span>}
    </>
  );
}
