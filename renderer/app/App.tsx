import { useEffect } from 'react';
import { LogDrawer } from '../features/connections/LogDrawer';
import { Toasts } from '../features/toasts/Toasts';
import { ErrorState, Skeleton } from '../ui/States';
import { useApp } from './app-store';
import { bootstrap } from './bootstrap';
import { PaletteDialogs } from './palette-dialogs';
import { CommandPalette } from './CommandPalette';
import { useGlobalShortcuts } from './keyboard';
import { useRoute } from '../navigation';
import { screenOf } from './screens';
import { ShortcutsDialog } from './ShortcutsDialog';
import { Sidebar } from './Sidebar';
import { StatusBar } from './StatusBar';
import { useUi } from '../ui/ui-store';

export function App() {
  useEffect(() => {
    void bootstrap();
  }, []);
  useGlobalShortcuts();
  const paletteOpen = useUi((s) => s.paletteOpen);
  const shortcutsOpen = useUi((s) => s.shortcutsOpen);
  const logOpen = useUi((s) => s.logOpen);
  return (
    <div className="app">
      <Sidebar />
      <main className="main" id="main">
        <MainContent />
      </main>
      <StatusBar />
      {paletteOpen && <CommandPalette />}
      <PaletteDialogs />
      {shortcutsOpen && <ShortcutsDialog />}
      {logOpen && <LogDrawer />}
      <Toasts />
    </div>
  );
}

function MainContent() {
  const phase = useApp((s) => s.phase);
  const bootError = useApp((s) => s.bootError);
  const screenId = useRoute((s) => s.screen);
  if (phase === 'loading') {
    return (
      <section className="screen">
        <Skeleton rows={4} />
      </section>
    );
  }
  if (phase === 'failed') {
    return (
      <section className="screen">
        <ErrorState
          title="Could not reach the JetDeck backend"
          message={bootError ?? 'unknown error'}
          onRetry={() => void bootstrap()}
          testId="boot-error"
        />
      </section>
    );
  }
  const Screen = screenOf(screenId).component;
  return <Screen />;
}
