// Renders resources/icon.svg to the PNGs electron-builder needs (512 for macOS/Linux, 256 for
// Windows/Linux) with headless Chromium. Run after editing the SVG: `node scripts/render-icons.mjs`.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const svg = readFileSync('resources/icon.svg', 'utf8');
const targets = [
  { size: 512, files: ['resources/icon.png', 'resources/icons/512x512.png'] },
  { size: 256, files: ['resources/icons/256x256.png'] },
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium' });
try {
  for (const { size, files } of targets) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const sized = svg.replace('width="512" height="512"', `width="${size}" height="${size}"`);
    await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`);
    for (const path of files) await page.screenshot({ path, omitBackground: true });
    await page.close();
  }
} finally {
  await browser.close();
}
