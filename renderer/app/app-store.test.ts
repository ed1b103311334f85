import { describe, expect, it } from 'vitest';
import { useApp } from './app-store';

describe('app store', () => {
  it('starts loading with the transport open, until the boot says otherwise', () => {
    expect(useApp.getState()).toEqual({ phase: 'loading', transport: 'open' });
    useApp.setState({ phase: 'failed', bootError: 'no backend' });
    expect(useApp.getState()).toMatchObject({ phase: 'failed', bootError: 'no backend', transport: 'open' });
  });
});
