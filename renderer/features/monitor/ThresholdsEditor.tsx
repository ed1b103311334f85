import { useEffect, useState } from 'react';
import type { MonitorConfig, ThresholdLevel, Thresholds } from '../../../api/features/monitor';
import { api } from '../../api';
import { toastError, toastInfo } from '../toasts/store';
import { useMonitor } from './store';
import { CHECKS, fromText, kindOfKey, toText, type CheckKind, type LevelText } from './thresholds-form';

type LevelsText = Record<string, LevelText>;

function textsOf(kind: CheckKind, levels: Partial<Record<string, ThresholdLevel>>): LevelsText {
  return Object.fromEntries(
    CHECKS[kind].filter((c) => levels[c.id]).map((c) => [c.id, toText(levels[c.id], c.ratio)]),
  );
}

/** Parses every level of a set; the first error wins. */
function parseLevels(
  kind: CheckKind,
  texts: LevelsText,
  where: string,
): { levels: Record<string, ThresholdLevel>; error?: string } {
  const levels: Record<string, ThresholdLevel> = {};
  for (const c of CHECKS[kind]) {
    const t = texts[c.id];
    if (!t) continue;
    const r = fromText(t, c.ratio);
    if (r.error) return { levels, error: `${where} · ${c.label}: ${r.error}` };
    levels[c.id] = r.level as ThresholdLevel;
  }
  return { levels };
}

/**
 * Default thresholds for every consumer and stream plus per-object overrides; saved with
 * monitor.config.set. An empty input disables that level.
 */
export function ThresholdsEditor({
  config,
  overrideKey,
  onOverrideDone,
}: {
  config: MonitorConfig;
  /** An object the user picked in the health table to override. */
  overrideKey?: string;
  onOverrideDone: () => void;
}) {
  const t = config.thresholds;
  const [defaults, setDefaults] = useState<Record<CheckKind, LevelsText>>(() => ({
    consumer: textsOf('consumer', t.consumer),
    stream: textsOf('stream', t.stream),
  }));
  const [overrides, setOverrides] = useState<Record<string, LevelsText>>(() =>
    Object.fromEntries(
      Object.entries(t.overrides).map(([k, v]) => [
        k,
        textsOf(kindOfKey(k), v as Partial<Record<string, ThresholdLevel>>),
      ]),
    ),
  );
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);

  // A key picked in the table starts an override with the current defaults.
  useEffect(() => {
    if (!overrideKey) return;
    setOverrides((o) =>
      o[overrideKey] ? o : { ...o, [overrideKey]: { ...defaults[kindOfKey(overrideKey)] } },
    );
    onOverrideDone();
    // Only a newly picked key starts an override; later edits of the defaults do not.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [overrideKey]);

  const save = async () => {
    const parsed: Thresholds = { consumer: t.consumer, stream: t.stream, overrides: {} };
    for (const kind of ['consumer', 'stream'] as const) {
      const r = parseLevels(kind, defaults[kind], `Default ${kind}`);
      if (r.error) return setError(r.error);
      Object.assign(parsed[kind], r.levels);
    }
    for (const [key, texts] of Object.entries(overrides)) {
      const r = parseLevels(kindOfKey(key), texts, key);
      if (r.error) return setError(r.error);
      parsed.overrides[key] = r.levels;
    }
    setError(undefined);
    setSaving(true);
    try {
      const config = await api.call('monitor.config.set', { thresholds: parsed });
      useMonitor.setState({ config });
      toastInfo('Thresholds saved', 'Health is re-evaluated on the next sample.');
    } catch (err) {
      toastError('Could not save the thresholds', err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section className="card" data-testid="thresholds-editor">
      <div className="card-head">
        <h2>Thresholds</h2>
        <span className="muted small">empty = level off · a value above the level raises it</span>
      </div>
      <div className="thresholds-grid">
        {(['consumer', 'stream'] as const).map((kind) => (
          <LevelTable
            key={kind}
            title={kind === 'consumer' ? 'Every consumer' : 'Every stream'}
            kind={kind}
            texts={defaults[kind]}
            onChange={(texts) => setDefaults({ ...defaults, [kind]: texts })}
            testId={`thresholds-${kind}`}
          />
        ))}
      </div>
      {Object.keys(overrides).length > 0 && <h3 className="section-title">Overrides</h3>}
      {Object.entries(overrides).map(([key, texts]) => (
        <div key={key} className="override" data-testid="threshold-override" data-key={key}>
          <LevelTable
            title={key}
            kind={kindOfKey(key)}
            texts={texts}
            optional
            onChange={(next) => setOverrides({ ...overrides, [key]: next })}
            testId={`override-${key}`}
          />
          <button
            className="btn small danger-ghost"
            onClick={() => {
              const next = { ...overrides };
              delete next[key];
              setOverrides(next);
            }}
          >
            Remove override
          </button>
        </div>
      ))}
      {error && (
        <div className="field-error" role="alert" data-testid="thresholds-error">
          {error}
        </div>
      )}
      <div className="actions">
        <button
          className="btn primary"
          disabled={saving}
          onClick={() => void save()}
          data-testid="thresholds-save"
        >
          {saving ? 'Saving…' : 'Save thresholds'}
        </button>
      </div>
    </section>
  );
}

/** Warn / crit inputs per check; in an override a check can be left to the defaults. */
function LevelTable({
  title,
  kind,
  texts,
  optional,
  onChange,
  testId,
}: {
  title: string;
  kind: CheckKind;
  texts: LevelsText;
  optional?: boolean;
  onChange: (t: LevelsText) => void;
  testId: string;
}) {
  return (
    <table className="data-table thresholds-table" data-testid={testId}>
      <thead>
        <tr>
          <th className="mono-title">{title}</th>
          <th className="num">Warn above</th>
          <th className="num">Crit above</th>
        </tr>
      </thead>
      <tbody>
        {CHECKS[kind].map((c) => {
          const lv = texts[c.id];
          const set = (patch: Partial<LevelText>) =>
            onChange({ ...texts, [c.id]: { ...(lv ?? { warn: '', crit: '' }), ...patch } });
          return (
            <tr key={c.id} data-check={c.id}>
              <td>
                {optional ? (
                  <label className="check">
                    <input
                      type="checkbox"
                      checked={!!lv}
                      onChange={(e) => {
                        const next = { ...texts };
                        if (e.target.checked) next[c.id] = { warn: '', crit: '' };
                        else delete next[c.id];
                        onChange(next);
                      }}
                    />
                    {c.label}
                  </label>
                ) : (
                  c.label
                )}
              </td>
              {(['warn', 'crit'] as const).map((lvl) => (
                <td key={lvl} className="num">
                  {lv || !optional ? (
                    <span className="level-input">
                      <input
                        inputMode="decimal"
                        aria-label={`${title} ${c.label} ${lvl}`}
                        value={lv?.[lvl] ?? ''}
                        placeholder="off"
                        onChange={(e) => set({ [lvl]: e.target.value })}
                        data-testid={`level-${c.id}-${lvl}`}
                      />
                      <span className="muted small">{c.unit}</span>
                    </span>
                  ) : (
                    <span className="muted small">default</span>
                  )}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
