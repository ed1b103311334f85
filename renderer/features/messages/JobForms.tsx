import { Field, FieldInput } from '../../ui/Field';
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
            <FieldInput
              id="src-from-seq"
              label="From sequence"
              type="number"
              min={1}
              value={value.fromSeq}
              onValue={(v) => set({ fromSeq: v })}
              placeholder="first"
            />
            <FieldInput
              id="src-to-seq"
              label="To sequence (inclusive)"
              type="number"
              min={1}
              value={value.toSeq}
              onValue={(v) => set({ toSeq: v })}
              placeholder="last"
            />
          </div>
          <div className="row2">
            <FieldInput
              id="src-from-time"
              label="From time"
              type="datetime-local"
              step={1}
              value={value.fromTime}
              onValue={(v) => set({ fromTime: v })}
            />
            <FieldInput
              id="src-to-time"
              label="To time"
              type="datetime-local"
              step={1}
              value={value.toTime}
              onValue={(v) => set({ toTime: v })}
            />
          </div>
          <FieldInput
            id="src-subject"
            label="Subject filter"
            hint="wildcards allowed; empty = all"
            className="mono"
            value={value.subject}
            onValue={(v) => set({ subject: v })}
          />
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
          <FieldInput
            id="tgt-subject"
            label="Target subject"
            hint={
              <>
                e.g. <code>replayed.&gt;</code> maps <code>tasks.new</code> → <code>replayed.new</code>
              </>
            }
            className="mono"
            value={value.subject}
            onValue={(v) => set({ subject: v })}
          />
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
        <FieldInput
          id="rate-n"
          label="Messages per second"
          type="number"
          min={1}
          value={value.perSecond}
          onValue={(v) => set({ perSecond: v })}
        />
      )}
      {value.mode === 'original' && (
        <div className="row2">
          <FieldInput
            id="rate-speed"
            label="Speed-up"
            hint="2 = twice as fast"
            type="number"
            min={0.01}
            step={0.5}
            value={value.speed}
            onValue={(v) => set({ speed: v })}
          />
          <FieldInput
            id="rate-wait"
            label="Longest wait (ms)"
            type="number"
            min={0}
            value={value.maxWaitMs}
            onValue={(v) => set({ maxWaitMs: v })}
          />
        </div>
      )}
    </fieldset>
  );
}
