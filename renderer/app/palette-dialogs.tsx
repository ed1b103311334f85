import { create } from 'zustand';
import { ReplayDialog } from '../features/messages/ReplayDialog';
import { PurgeDialog } from '../features/streams/PurgeDialog';

/**
 * Dialogs a palette action opens: the palette closes as it runs the action, so the dialog
 * lives here, in the shell, and is the same one the Streams and Messages screens use.
 */
export type PaletteDialog =
  { kind: 'purge'; stream: string; messages: number } | { kind: 'replay'; stream: string };

export const usePaletteDialog = create<{ dialog?: PaletteDialog }>()(() => ({}));

export function openPaletteDialog(dialog: PaletteDialog): void {
  usePaletteDialog.setState({ dialog });
}

export function PaletteDialogs() {
  const dialog = usePaletteDialog((s) => s.dialog);
  const close = () => usePaletteDialog.setState({ dialog: undefined });
  if (!dialog) return null;
  return dialog.kind === 'purge' ? (
    <PurgeDialog stream={dialog.stream} messages={dialog.messages} onClose={close} />
  ) : (
    <ReplayDialog stream={dialog.stream} mode="replay" seqs={[]} subject="" onClose={close} />
  );
}
