/**
 * The `jetdeck serve` token in the browser: taken from the `?token=` link once, kept in this
 * tab's sessionStorage (scoped to this origin, port included) and removed from the address
 * bar. The page sends it itself — Authorization on fetch, a subprotocol on the WebSocket — so
 * no cookie carries it to other servers on this host.
 */
const KEY = 'jetdeck.token';

export function takePageToken(): string | undefined {
  const url = new URL(location.href);
  const fromLink = url.searchParams.get('token');
  if (fromLink) {
    sessionStorage.setItem(KEY, fromLink);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', `${url.pathname}${url.search}${url.hash}`);
  }
  return sessionStorage.getItem(KEY) ?? undefined;
}

/** Why the server refuses this page's token (undefined when it accepts it or cannot be asked). */
export async function tokenProblem(token: string | undefined): Promise<string | undefined> {
  const hint = 'Open the link `jetdeck serve` printed (it ends in ?token=...).';
  if (!token) return `This page has no access token. ${hint}`;
  try {
    const res = await fetch('/api/health', { headers: { authorization: `Bearer ${token}` } });
    if (res.status === 401) {
      sessionStorage.removeItem(KEY);
      return `The server refused this page's token (it changes each time serve starts). ${hint}`;
    }
  } catch {
    // Unreachable: the transport reports that itself.
  }
  return undefined;
}
