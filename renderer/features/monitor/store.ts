import { create } from 'zustand';
import type {
  Advisory,
  HistoryRange,
  MonitorConfig,
  MonitorHistory,
  MonitorSampleBatch,
  MonitorSourceInfo,
} from '../../../api/features/monitor';
import { api } from '../../api';

export const RANGE_MS: Record<HistoryRange, number> = {
  '5m': 5 * 60_000,
  '1h': 3_600_000,
  '24h': 86_400_000,
};
/** Advisories kept in the renderer (the core keeps 10 000 and exports them all). */
export const ADVISORIES_KEPT = 2000;

export type MonitorTab = 'servers' | 'charts' | 'connections' | 'advisories' | 'health';

interface MonitorState {
  tab: MonitorTab;
  range: HistoryRange;
  source?: MonitorSourceInfo;
  config?: MonitorConfig;
  /**
   * Columnar history for the range; arrays are appended in place on each sample, and
   * `version` changes so charts re-render without copying every series per second.
   */
  t: number[];
  series: Record<string, (number | null)[]>;
  version: number;
  historyPhase: 'idle' | 'loading' | 'ok' | 'error';
  historyError?: unknown;
  /** The newest sample's values and its cost, for the live figures. */
  latest?: { t: number; values: Record<string, number>; sampleMs: number; intervalMs: number };
  serverStates: MonitorSampleBatch['servers'];
  /** Newest first. */
  advisories: Advisory[];
  advisoriesDropped: number;
  paused: boolean;
  /** Advisories that arrived while paused (shown on resume). */
  held: Advisory[];
  set: (p: Partial<MonitorState>) => void;
}

export const useMonitor = create<MonitorState>()((set) => ({
  tab: 'servers',
  range: '5m',
  t: [],
  series: {},
  version: 0,
  historyPhase: 'idle',
  serverStates: [],
  advisories: [],
  advisoriesDropped: 0,
  paused: false,
  held: [],
  set: (p) => set(p),
}));

/** Replaces the history with a fresh read of the selected range. */
export async function loadHistory(range: HistoryRange): Promise<void> {
  useMonitor.setState({ historyPhase: 'loading', range });
  try {
    const h: MonitorHistory = await api.call('monitor.history', { range });
    if (useMonitor.getState().range !== range) return;
    useMonitor.setState((s) => ({
      t: h.t,
      series: h.series,
      version: s.version + 1,
      historyPhase: 'ok',
      historyError: undefined,
    }));
  } catch (err) {
    useMonitor.setState({ historyPhase: 'error', historyError: err });
  }
}

/** Appends a batch of samples to the loaded columns and trims what fell out of the range. */
function appendSamples(batch: MonitorSampleBatch): void {
  const s = useMonitor.getState();
  const last = batch.samples[batch.samples.length - 1];
  const patch: Partial<MonitorState> = { serverStates: batch.servers };
  if (last) patch.latest = { ...last, sampleMs: batch.sampleMs, intervalMs: batch.intervalMs };
  // 24 h is minute averages: appending full-resolution points would mix resolutions; it is re-read instead.
  if (s.range !== '24h' && s.historyPhase === 'ok' && batch.samples.length) {
    const { t, series } = s;
    for (const sample of batch.samples) {
      if (t.length && sample.t <= t[t.length - 1]) continue;
      t.push(sample.t);
      for (const [k, col] of Object.entries(series)) col.push(sample.values[k] ?? null);
      for (const [k, v] of Object.entries(sample.values)) {
        if (series[k]) continue;
        const col = new Array<number | null>(t.length - 1).fill(null);
        col.push(v);
        series[k] = col;
      }
    }
    const from = (last?.t ?? Date.now()) - RANGE_MS[s.range];
    let drop = 0;
    while (drop < t.length && t[drop] < from) drop++;
    if (drop) {
      t.splice(0, drop);
      for (const col of Object.values(series)) col.splice(0, drop);
    }
    patch.version = s.version + 1;
  }
  useMonitor.setState(patch);
}

function addAdvisories(list: Advisory[], dropped: number): void {
  const s = useMonitor.getState();
  const newest = [...list].reverse();
  if (s.paused) {
    useMonitor.setState({
      held: [...newest, ...s.held].slice(0, ADVISORIES_KEPT),
      advisoriesDropped: dropped,
    });
    return;
  }
  useMonitor.setState({
    advisories: [...newest, ...s.advisories].slice(0, ADVISORIES_KEPT),
    advisoriesDropped: dropped,
  });
}

export function setPaused(paused: boolean): void {
  const s = useMonitor.getState();
  if (paused) useMonitor.setState({ paused });
  else
    useMonitor.setState({
      paused,
      held: [],
      advisories: [...s.held, ...s.advisories].slice(0, ADVISORIES_KEPT),
    });
}

/** The session's advisories so far (events add the new ones). */
export async function loadAdvisories(): Promise<void> {
  const page = await api.call('monitor.advisories.list', { filter: {}, limit: ADVISORIES_KEPT });
  const known = new Set(useMonitor.getState().advisories.map((a) => a.seq));
  const merged = [...page.advisories.filter((a) => !known.has(a.seq)), ...useMonitor.getState().advisories];
  merged.sort((a, b) => b.seq - a.seq);
  useMonitor.setState({ advisories: merged.slice(0, ADVISORIES_KEPT), advisoriesDropped: page.dropped });
}

export async function clearAdvisories(): Promise<void> {
  await api.call('monitor.advisories.clear');
  useMonitor.setState({ advisories: [], held: [] });
}

api.on('monitor.sample', appendSamples);
api.on('monitor.advisories', (b) => addAdvisories(b.advisories, b.dropped));
