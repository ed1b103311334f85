import { Field } from '../../ui/Field';
import type { RateForm, SourceForm, TargetForm } from './job-inputs';

/** Which messages: the ticked ones, or a range by sequence and/or time plus a subject filter. */
export function SourcePicker({ value, onChange }: { value: SourceForm; onChange: (v: SourceForm) => void }) {
  const set = (p: Partial<SourceForm>) => onChange({ ...value, ...p });
  return (
    <fieldset className="job-fieldset" data-testid="source-picker">
      <legend>Messages</legend>
      <div className="segmented">
        <button
          className={value.kind === 'selection' ? 'on' : ''}
          disabled={value.seqs.length === 0}
          onClick={() => set({ kind: 'selection' })}
          data-testid="source-selection"
        >
          Selected ({value.seqs.length})
        </button>
        <button
          className={value.kind === 'range' ? 'on' : ''}
          onClick={() => set({ kind: 'range' })}
          data-testid="source-range"
        >
          Range
        </button>
      </div>
      {value.kind === 'selection' ? (
        <p className="muted small mono ellipsis">
          {value.seqs
            .slice(0, 20)
            .map((s) => `#${s}`)
            .join(' ')}
          {value.seqs.length > 20 && ` … +${value.seqs.length - 20}`}
        </p>
      ) : (
        <>
          <div className="row2">
            <Field id="src-from-seq" label="From sequence">
              <input
                id="src-from-seq"
                type="number"
                min={1}
                value={value.fromSeq}
                onChange={(e) => set({ fromSeq: e.target.value })}
                placeholder="first"
                data-testid="src-from-seq"
              />
            </Field>
            <Field id="src-to-seq" label="To sequence (inclusive)">
              <input
                id="src-to-seq"
                type="number"
                min={1}
                value={value.toSeq}
                onChange={(e) => set({ toSeq: e.target.value })}
                placeholder="last"
                data-testid="src-to-seq"
              />
            </Field>
          </div>
          <div className="row2">
            <Field id="src-from-time" label="From time">
              <input
                id="src-from-time"
                type="datetime-local"
                step={1}
                value={value.fromTime}
                onChange={(e) => set({ fromTime: e.target.value })}
              />
            </Field>
            <Field id="src-to-time" label="To time">
              <input
                id="src-to-time"
                type="datetime-local"
                step={1}
                value={value.toTime}
                onChange={(e) => set({ toTime: e.target.value })}
              />
            </Field>
          </div>
          <Field id="src-subject" label="Subject filter" hint="wildcards allowed; empty = all">
            <input
              id="src-subject"
              className="mono"
              value={value.subject}
              onChange={(e) => set({ subject: e.target.value })}
              data-testid="src-subject"
            />
          </Field>
        </>
      )}
    </fieldset>
  );
}

/** Where to publish: the original subjects or a mapped/override subject. */
export function TargetPicker({ value, onChange }: { value: TargetForm; onChange: (v: TargetForm) => void }) {
  const set = (p: Partial<TargetForm>) => onChange({ ...value, ...p });
  return (
    <fieldset className="job-fieldset" data-testid="target-picker">
      <legend>Publish to</legend>
      <div className="segmented">
        <button
          className={value.kind === 'original' ? 'on' : ''}
          onClick={() => set({ kind: 'original' })}
          data-testid="target-original"
        >
          Original subject
        </button>
        <button
          className={value.kind === 'subject' ? 'on' : ''}
          onClick={() => set({ kind: 'subject' })}
          data-testid="target-subject"
        >
          Other subject
        </button>
      </div>
      {value.kind === 'subject' && (
        <div className="row2">
          <Field
            id="tgt-subject"
            label="Target subject"
            hint={
              <>
                e.g. <code>replayed.&gt;</code> maps <code>tasks.new</code> → <code>replayed.new</code>
              </>
            }
          >
            <input
              id="tgt-subject"
              className="mono"
              value={value.subject}
              onChange={(e) => set({ subject: e.target.value })}
              data-testid="tgt-subject"
            />
          </Field>
          <Field id="tgt-from" label="Map from (optional)" hint="defaults to the subject filter, else >">
            <input
              id="tgt-from"
              className="mono"
              value={value.from}
              onChange={(e) => set({ from: e.target.value })}
              data-testid="tgt-from"
            />
          </Field>
        </div>
      )}
    </fieldset>
  );
}

/** How fast: as fast as possible, N per second, or the original spacing. */
export function RatePicker({ value, onChange }: { value: RateForm; onChange: (v: RateForm) => void }) {
  const set = (p: Partial<RateForm>) => onChange({ ...value, ...p });
  return (
    <fieldset className="job-fieldset" data-testid="rate-picker">
      <legend>Rate</legend>
      <div className="segmented">
        <button
          className={value.mode === 'max' ? 'on' : ''}
          onClick={() => set({ mode: 'max' })}
          data-testid="rate-max"
        >
          Max
        </button>
        <button
          className={value.mode === 'perSecond' ? 'on' : ''}
          onClick={() => set({ mode: 'perSecond' })}
          data-testid="rate-per-second"
        >
          N per second
        </button>
        <button
          className={value.mode === 'original' ? 'on' : ''}
          onClick={() => set({ mode: 'original' })}
          data-testid="rate-original"
        >
          Original spacing
        </button>
      </div>
      {value.mode === 'perSecond' && (
        <Field id="rate-n" label="Messages per second">
          <input
            id="rate-n"
            type="number"
            min={1}
            value={value.perSecond}
            onChange={(e) => set({ perSecond: e.target.value })}
            data-testid="rate-n"
          />
        </Field>
      )}
      {value.mode === 'original' && (
        <div className="row2">
          <Field id="rate-speed" label="Speed-up" hint="2 = twice as fast">
            <input
              id="rate-speed"
              type="number"
              min={0.01}
              step={0.5}
              value={value.speed}
              onChange={(e) => set({ speed: e.target.value })}
            />
          </Field>
          <Field id="rate-wait" label="Longest wait (ms)">
            <input
              id="rate-wait"
              type="number"
              min={0}
              value={value.maxWaitMs}
              onChange={(e) => set({ maxWaitMs: e.target.value })}
            />
          </Field>
        </div>
      )}
    </fieldset>
  );
}
