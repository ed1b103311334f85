import {
  profileInputSchema,
  type AuthInput,
  type AuthKind,
  type ConnectionProfile,
  type ProfileInput,
  type PublicAuth,
} from '../../../api/features/connections';
import { fieldErrors, serverIssues } from '../../ui/form-issues';

/** Form state for one auth block (main or system account). Secret fields start empty. */
export interface AuthForm {
  kind: AuthKind;
  user: string;
  password: string;
  token: string;
  seed: string;
  credsMode: 'file' | 'paste';
  credsFile: string;
  creds: string;
  /** A secret for this kind is already stored: empty fields keep it. */
  hasSecret: boolean;
}

export interface ProfileForm {
  id?: string;
  name: string;
  /** One URL per line. */
  servers: string;
  auth: AuthForm;
  tls: { enabled: boolean; caFile: string; certFile: string; keyFile: string; handshakeFirst: boolean };
  systemEnabled: boolean;
  system: AuthForm;
  /** One URL per line. */
  monitorUrls: string;
}

/** Field key (e.g. "auth.password", "servers") → message. */
export type FieldErrors = Record<string, string>;

export const AUTH_KINDS: { kind: AuthKind; label: string }[] = [
  { kind: 'none', label: 'None' },
  { kind: 'userpass', label: 'User + password' },
  { kind: 'token', label: 'Token' },
  { kind: 'nkey', label: 'NKey seed' },
  { kind: 'creds', label: 'Creds file (JWT)' },
];

export function authFormFrom(a?: PublicAuth): AuthForm {
  return {
    kind: a?.kind ?? 'none',
    user: a?.user ?? '',
    password: '',
    token: '',
    seed: '',
    credsMode: a?.kind === 'creds' && !a.credsFile && a.hasSecret ? 'paste' : 'file',
    credsFile: a?.credsFile ?? '',
    creds: '',
    hasSecret: a?.hasSecret ?? false,
  };
}

export function formFrom(p?: ConnectionProfile): ProfileForm {
  return {
    id: p?.id,
    name: p?.name ?? '',
    servers: (p?.servers ?? ['nats://127.0.0.1:4222']).join('\n'),
    auth: authFormFrom(p?.auth),
    tls: {
      enabled: p?.tls?.enabled ?? false,
      caFile: p?.tls?.caFile ?? '',
      certFile: p?.tls?.certFile ?? '',
      keyFile: p?.tls?.keyFile ?? '',
      handshakeFirst: p?.tls?.handshakeFirst ?? false,
    },
    systemEnabled: !!p?.system,
    system: authFormFrom(p?.system?.auth),
    monitorUrls: (p?.monitorUrls ?? []).join('\n'),
  };
}

const lines = (s: string) =>
  s
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
const opt = (s: string) => (s.trim() ? s.trim() : undefined);

function toAuth(a: AuthForm): AuthInput {
  switch (a.kind) {
    case 'none':
      return { kind: 'none' };
    case 'userpass':
      return { kind: 'userpass', user: a.user.trim(), password: a.password || undefined };
    case 'token':
      return { kind: 'token', token: a.token || undefined };
    case 'nkey':
      return { kind: 'nkey', seed: opt(a.seed) };
    case 'creds':
      return a.credsMode === 'file'
        ? { kind: 'creds', credsFile: opt(a.credsFile) }
        : { kind: 'creds', creds: opt(a.creds) };
  }
}

/** What connections.save / connections.test receive; blank secret fields are left out (kept). */
export function toInput(f: ProfileForm): ProfileInput {
  const monitorUrls = lines(f.monitorUrls);
  const tlsUsed = f.tls.enabled || f.tls.caFile || f.tls.certFile || f.tls.keyFile;
  return {
    id: f.id,
    name: f.name.trim(),
    servers: lines(f.servers),
    auth: toAuth(f.auth),
    tls: tlsUsed
      ? {
          enabled: f.tls.enabled,
          caFile: opt(f.tls.caFile),
          certFile: opt(f.tls.certFile),
          keyFile: opt(f.tls.keyFile),
          handshakeFirst: f.tls.handshakeFirst || undefined,
        }
      : undefined,
    system: f.systemEnabled ? { auth: toAuth(f.system) } : undefined,
    monitorUrls: monitorUrls.length ? monitorUrls : undefined,
  };
}

/** Maps a zod issue path (as sent by the server too) to the form field showing it. */
export function fieldKey(path: readonly PropertyKey[]): string {
  const [head, second, third] = path.map(String);
  if (head === 'auth' && second) return `auth.${second}`;
  if (head === 'system' && third) return `system.${third}`;
  return head ?? 'form';
}

/** Secrets the schema leaves optional (edits keep stored ones) but a new profile needs. */
function missingSecret(a: AuthForm, prefix: string, errors: FieldErrors): void {
  if (a.hasSecret) return;
  if (a.kind === 'token' && !a.token) errors[`${prefix}.token`] = 'token is required';
  if (a.kind === 'nkey' && !a.seed.trim()) errors[`${prefix}.seed`] = 'NKey seed is required';
  if (a.kind === 'creds' && a.credsMode === 'file' && !a.credsFile.trim())
    errors[`${prefix}.credsFile`] = 'creds file path is required';
  if (a.kind === 'creds' && a.credsMode === 'paste' && !a.creds.trim())
    errors[`${prefix}.creds`] = 'paste the creds file content';
}

/** Client-side check mirroring the server's zod schema, so errors show before a round trip. */
export function validate(f: ProfileForm): FieldErrors {
  const parsed = profileInputSchema.safeParse(toInput(f));
  const errors: FieldErrors = parsed.success
    ? {}
    : fieldErrors(parsed.error.issues, fieldKey, (issue) => {
        const where =
          issue.path[0] === 'servers' || issue.path[0] === 'monitorUrls' ? issue.path[1] : undefined;
        return typeof where === 'number' ? `line ${where + 1}: ${issue.message}` : issue.message;
      });
  missingSecret(f.auth, 'auth', errors);
  if (f.systemEnabled) missingSecret(f.system, 'system', errors);
  if (f.tls.certFile.trim() && !f.tls.keyFile.trim())
    errors['tls.keyFile'] = 'a client certificate needs its key file';
  if (f.tls.keyFile.trim() && !f.tls.certFile.trim())
    errors['tls.certFile'] = 'a key file needs its client certificate';
  return errors;
}

/** Server-side validation errors (invalid_input with zod issues) mapped onto fields. */
export function serverFieldErrors(detail: unknown): FieldErrors {
  return fieldErrors(serverIssues(detail), fieldKey);
}
