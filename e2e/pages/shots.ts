import AxeBuilder from '@axe-core/playwright';
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];

export async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const toggle = page.getByTestId('theme-toggle');
  for (let i = 0; i < 3 && (await page.locator('html').getAttribute('data-theme')) !== theme; i++)
    // dispatchEvent: a dialog's overlay covers the toggle, and the shots include open dialogs.
    await toggle.dispatchEvent('click');
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

/**
 * Both sizes and themes: attached (and written to JETDECK_SHOTS_DIR), no page overflow, axe clean
 * (over the whole page, or only inside `axeScope` when given).
 */
export async function shoot(
  page: Page,
  testInfo: TestInfo,
  name: string,
  subject: Locator,
  axeScope?: string,
): Promise<void> {
  for (const theme of ['dark', 'light'] as const) {
    await setTheme(page, theme);
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await subject.scrollIntoViewIfNeeded();
      const file = `${name}-${theme}-${size.width}.png`;
      await testInfo.attach(file, { body: await page.screenshot(), contentType: 'image/png' });
      if (process.env.JETDECK_SHOTS_DIR)
        await page.screenshot({ path: `${process.env.JETDECK_SHOTS_DIR}/${file}` });
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - window.innerWidth',
      );
      expect.soft(overflow, `${name} at ${size.width}px overflows`).toBeLessThanOrEqual(0);
    }
    const builder = new AxeBuilder({ page });
    const axe = await (axeScope ? builder.include(axeScope) : builder).analyze();
    const bad = axe.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} ×${v.nodes.length}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
    expect.soft(bad, `${name} in ${theme}`).toEqual([]);
  }
}
