import type { FormEvent, KeyboardEvent } from 'react';

/** A form's submit and Ctrl/Cmd+Enter handlers: both run `submit` (the browser's own submit is stopped). */
export function submitHandlers(submit: () => Promise<unknown> | void) {
  return {
    onSubmit: (e: FormEvent) => {
      e.preventDefault();
      void submit();
    },
    onKeyDown: (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        void submit();
      }
    },
  };
}
