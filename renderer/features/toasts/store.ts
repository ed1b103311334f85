import { create } from 'zustand';
import { ApiError, type ErrorEnvelope } from '../../../api/errors';

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  title: string;
  message?: string;
  /** The full error envelope, shown under "Details". */
  error?: ErrorEnvelope;
}

interface ToastState {
  toasts: Toast[];
  push: (t: Omit<Toast, 'id'>) => number;
  dismiss: (id: number) => void;
}

const INFO_MS = 4000;
const MAX_TOASTS = 5;
let nextId = 1;

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push: (t) => {
    const id = nextId++;
    set({ toasts: [...get().toasts, { ...t, id }].slice(-MAX_TOASTS) });
    // Errors stay until dismissed so the details can be read and copied.
    if (t.kind === 'info') setTimeout(() => get().dismiss(id), INFO_MS);
    return id;
  },
  dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
}));

export function toEnvelope(err: unknown): ErrorEnvelope {
  if (err instanceof ApiError) return err.toEnvelope();
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, code: 'internal', message: e.message };
}

/** Shows a sticky error toast; returns nothing so it can end a `.catch()`. */
export function toastError(title: string, err: unknown): void {
  const error = toEnvelope(err);
  useToasts.getState().push({ kind: 'error', title, message: error.message, error });
}

export function toastInfo(title: string, message?: string): void {
  useToasts.getState().push({ kind: 'info', title, message });
}
