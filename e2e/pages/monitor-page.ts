import type { Locator, Page } from '@playwright/test';
import type { AdvisoryKind } from '../../api/features/monitor';

export type MonitorTabName = 'servers' | 'charts' | 'connections' | 'advisories' | 'health';

/** The Monitor screen: source banner, tabs, live figures and charts, advisory feed, health. */
export class MonitorPage {
  readonly screen: Locator;
  readonly source: Locator;
  /** Pulsing "live" marker: present once the backend's sampler has delivered a sample. */
  readonly live: Locator;
  /** Points in the loaded history (attribute data-points), grows with every sample. */
  readonly chartPoints: Locator;
  /** The summed in-message rate of the newest sample (attribute data-value). */
  readonly latestMsgsIn: Locator;
  readonly msgsChart: Locator;
  readonly advisoryRows: Locator;
  readonly serverCards: Locator;

  constructor(readonly page: Page) {
    this.screen = page.getByTestId('monitor-screen');
    this.source = page.getByTestId('monitor-source');
    this.live = page.getByTestId('monitor-live');
    this.chartPoints = page.getByTestId('chart-points');
    this.latestMsgsIn = page.getByTestId('monitor-latest-msgs-in');
    this.msgsChart = page.getByTestId('chart-msgs');
    this.advisoryRows = page.getByTestId('advisory-row');
    this.serverCards = page.getByTestId('server-card');
  }

  async open(): Promise<void> {
    await this.page.getByTestId('nav-monitor').click();
    await this.screen.waitFor();
  }

  async tab(name: MonitorTabName): Promise<void> {
    await this.page.getByTestId(`monitor-tab-${name}`).click();
    await this.page.locator(`[data-testid="monitor-screen"][data-tab="${name}"]`).waitFor();
  }

  async pointCount(): Promise<number> {
    return Number(await this.chartPoints.getAttribute('data-points'));
  }

  async msgsInRate(): Promise<number> {
    const v = await this.latestMsgsIn.getAttribute('data-value');
    return v ? Number(v) : 0;
  }

  async filterAdvisories(kind: AdvisoryKind | '', search = ''): Promise<void> {
    await this.page.getByTestId('advisory-kind-filter').selectOption(kind);
    await this.page.getByTestId('advisory-search').fill(search);
  }

  advisory(kind: AdvisoryKind): Locator {
    return this.page.locator(`[data-testid="advisory-row"][data-kind="${kind}"]`);
  }

  healthRow(key: string): Locator {
    return this.page.locator(`[data-testid="health-row"][data-key="${key}"]`);
  }

  override(key: string): Locator {
    return this.page.locator(`[data-testid="threshold-override"][data-key="${key}"]`);
  }

  /** Sets one level of the defaults for every consumer/stream and saves. */
  async setDefaultLevel(check: string, level: 'warn' | 'crit', value: string): Promise<void> {
    const editor = this.page.getByTestId('thresholds-editor');
    await editor
      .locator(`[data-testid^="thresholds-"] [data-testid="level-${check}-${level}"]`)
      .first()
      .fill(value);
    await editor.getByTestId('thresholds-save').click();
  }
}
