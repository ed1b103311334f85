/**
 * Task ids as KV keys. KV keys allow `-/_=.A-Za-z0-9` and no empty tokens, while task ids
 * allow `:` and ids from other producers (Nats-Msg-Id) may hold anything: every character
 * outside `-_A-Za-z0-9` is written as `=XX` (UTF-8 bytes in hex), so the mapping is one to one
 * and plain ids stay readable (`nats kv get jetdeck_tasks t.<id>`).
 */
const PLAIN = /^[-_A-Za-z0-9]+$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function keyOf(id: string): string {
  if (PLAIN.test(id)) return id;
  let out = '';
  for (const ch of id) {
    if (/[-_A-Za-z0-9]/.test(ch)) out += ch;
    else for (const b of encoder.encode(ch)) out += `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out || '=';
}

export function idOfKey(key: string): string {
  if (!key.includes('=')) return key;
  if (key === '=') return '';
  const bytes: number[] = [];
  for (let i = 0; i < key.length; i++) {
    if (key[i] === '=') {
      bytes.push(parseInt(key.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(key.charCodeAt(i));
  }
  return decoder.decode(new Uint8Array(bytes));
}
