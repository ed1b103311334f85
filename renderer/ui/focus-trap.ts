import { useEffect, type RefObject } from 'react';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** Open traps, newest last. */
const traps: HTMLElement[] = [];

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.hasAttribute('inert') && el.getClientRects().length > 0,
  );
}

/**
 * Keeps Tab and Shift+Tab inside a dialog while it is open, focuses it on open (unless a child
 * took focus with autoFocus) and gives focus back to whatever had it before when it closes.
 */
export function useFocusTrap(ref: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    traps.push(root);
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!root.contains(document.activeElement)) (focusables(root)[0] ?? root).focus();
    const onKey = (e: KeyboardEvent) => {
      // Only the newest dialog traps focus (a confirmation above a drawer).
      if (e.key !== 'Tab' || traps[traps.length - 1] !== root) return;
      const els = focusables(root);
      if (els.length === 0) {
        e.preventDefault();
        root.focus();
        return;
      }
      const first = els[0]!;
      const last = els[els.length - 1]!;
      const active = document.activeElement;
      if (e.shiftKey && (active === first || !root.contains(active))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (active === last || !root.contains(active))) {
        e.preventDefault();
        first.focus();
      }
    };
    // On the document, so focus that left by a click outside comes back on the next Tab.
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('keydown', onKey, true);
      traps.splice(traps.indexOf(root), 1);
      // Give focus back only if it is still inside (or lost): never steal it from another dialog.
      const now = document.activeElement;
      if (before && before.isConnected && (!now || now === document.body || root.contains(now))) {
        before.focus();
      }
    };
  }, [ref]);
}
