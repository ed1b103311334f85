import { Modal } from '../ui/Modal';
import { MOD, screenDigit } from './keyboard';
import { SCREENS } from './screens';
import { useUi } from '../ui/ui-store';

export function ShortcutsDialog() {
  const setUi = useUi((s) => s.set);
  const rows: [string, string][] = [
    [`${MOD}+K`, 'Command palette'],
    ...SCREENS.flatMap((s, i): [string, string][] => {
      const digit = screenDigit(i);
      return digit ? [[`${MOD}+${digit}`, s.label]] : [];
    }),
    ['Esc', 'Close dialog'],
    ['?', 'This help'],
  ];
  return (
    <Modal
      title="Keyboard shortcuts"
      onClose={() => setUi({ shortcutsOpen: false })}
      testId="shortcuts-dialog"
    >
      <table className="shortcuts">
        <tbody>
          {rows.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
