/**
 * Listen defaults of `jetdeck serve`: shown by the CLI without loading the server, and used by the
 * UI for commands (curl) when it is not itself served over http.
 */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8081;
export const DEFAULT_SERVE_ORIGIN = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`;
