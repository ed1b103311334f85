/** IPC channel names shared by the main process and the preload; nothing else crosses IPC. */
export const IPC_CALL_CHANNEL = 'jetdeck:call';
export const IPC_EVENT_CHANNEL = 'jetdeck:event';
