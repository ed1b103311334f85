import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findAppRoot } from './util/app-root';

function readVersion(): string {
  try {
    const root = findAppRoot();
    if (!root) return '0.0.0';
    return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export const APP_VERSION = readVersion();
