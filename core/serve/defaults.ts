/** Listen defaults of `jetdeck serve`; a separate module so the CLI can show them without loading the server. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8081;
