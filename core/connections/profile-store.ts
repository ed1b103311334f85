import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  profileInputSchema,
  type AuthInput,
  type ConnectionProfile,
  type PublicAuth,
} from '../../api/features/connections';
import { ApiError } from '../../api/errors';
import { splitUrlCredentials } from '../../api/nats-url';
import { writeFileAtomic } from '../util/fs';
import type { SecretStore } from './secret-store';
import type { z } from 'zod';

type ParsedProfileInput = z.output<typeof profileInputSchema>;

/** A profile with its secrets resolved: only ever held in the core, never sent to the UI. */
export interface ResolvedProfile {
  id: string;
  name: string;
  servers: string[];
  auth: AuthInput;
  tls?: ConnectionProfile['tls'];
  system?: { auth: AuthInput };
  monitorUrls?: string[];
  jsDomain?: string;
  inboxPrefix?: string;
  timeoutMs?: number;
  source: ConnectionProfile['source'];
}

interface StoredFile {
  version: 1;
  activeId?: string;
  profiles: ConnectionProfile[];
}

const SECRET_FIELDS = ['password', 'token', 'seed', 'creds'] as const;
type SecretField = (typeof SECRET_FIELDS)[number];

/**
 * Connection profiles in `<dataDir>/profiles.json`; their secrets live in the SecretStore
 * under `profile:<id>:<scope>:<field>`, so profiles.json never holds a secret.
 */
export class ProfileStore {
  private readonly path: string;
  private file: StoredFile;

  constructor(
    dataDir: string,
    private readonly secrets: SecretStore,
  ) {
    this.path = join(dataDir, 'profiles.json');
    this.file = existsSync(this.path)
      ? (JSON.parse(readFileSync(this.path, 'utf8')) as StoredFile)
      : { version: 1, profiles: [] };
    this.moveUrlCredentials();
  }

  /** Older files may hold `nats://user:pass@host` in `servers`: move those to the secret store. */
  private moveUrlCredentials(): void {
    let moved = false;
    for (const p of this.file.profiles) {
      const parts = p.servers.map((u) => splitUrlCredentials([u]));
      const found = parts.find((x) => x.auth)?.auth;
      if (!found) continue;
      p.servers = parts.map((x, i) => x.servers[0] ?? p.servers[i] ?? '');
      if (p.auth.kind === 'none') p.auth = this.storeAuth(p.id, 'auth', found);
      moved = true;
    }
    if (moved) this.persist();
  }

  list(): ConnectionProfile[] {
    return this.file.profiles.map((p) => ({ ...p }));
  }

  get activeId(): string | undefined {
    return this.file.activeId;
  }

  setActive(id: string | undefined): void {
    this.file.activeId = id;
    this.persist();
  }

  get(id: string): ConnectionProfile {
    const p = this.file.profiles.find((x) => x.id === id);
    if (!p) throw new ApiError('not_found', `no connection profile with id ${id}`);
    return { ...p };
  }

  /** Creates or updates; secret fields left empty keep what is stored. */
  save(
    input: ParsedProfileInput,
    source: ConnectionProfile['source'] = 'user',
    selectedContext?: boolean,
  ): ConnectionProfile {
    const now = new Date().toISOString();
    const existing = input.id ? this.file.profiles.find((p) => p.id === input.id) : undefined;
    const id = existing?.id ?? input.id ?? randomUUID();
    const dup = this.file.profiles.find((p) => p.id !== id && p.name === input.name);
    if (dup) throw new ApiError('conflict', `a connection named "${input.name}" already exists`);
    // Credentials typed into a URL go to the secret store like any other; the URL keeps none.
    const { servers, auth: urlAuth } = splitUrlCredentials(input.servers);
    if (urlAuth && input.auth.kind !== 'none' && input.auth.kind !== urlAuth.kind) {
      throw new ApiError(
        'invalid_input',
        `the server URL carries ${urlAuth.kind === 'token' ? 'a token' : 'a user and password'} but auth is ${input.auth.kind}: give the credentials once`,
      );
    }
    const auth = this.storeAuth(
      id,
      'auth',
      urlAuth && input.auth.kind === 'none' ? urlAuth : mergeUrlAuth(input.auth, urlAuth),
      existing?.auth,
    );
    const system = input.system
      ? { auth: this.storeAuth(id, 'system', input.system.auth, existing?.system?.auth) }
      : undefined;
    if (!input.system) this.secrets.deletePrefix(`profile:${id}:system:`);
    const profile: ConnectionProfile = {
      id,
      name: input.name,
      servers,
      auth,
      tls: input.tls,
      system,
      monitorUrls: input.monitorUrls,
      jsDomain: input.jsDomain,
      inboxPrefix: input.inboxPrefix,
      timeoutMs: input.timeoutMs,
      source: existing?.source ?? source,
      selectedContext: selectedContext ?? existing?.selectedContext,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    if (existing) this.file.profiles[this.file.profiles.indexOf(existing)] = profile;
    else this.file.profiles.push(profile);
    this.persist();
    return { ...profile };
  }

  delete(id: string): boolean {
    const before = this.file.profiles.length;
    this.file.profiles = this.file.profiles.filter((p) => p.id !== id);
    if (this.file.profiles.length === before) return false;
    this.secrets.deletePrefix(`profile:${id}:`);
    if (this.file.activeId === id) this.file.activeId = undefined;
    this.persist();
    return true;
  }

  duplicate(id: string): ConnectionProfile {
    const src = this.resolve(id);
    let name = `${src.name} (copy)`;
    for (let i = 2; this.file.profiles.some((p) => p.name === name); i++) name = `${src.name} (copy ${i})`;
    const { servers, auth, tls, system, monitorUrls } = src;
    return this.save(profileInputSchema.parse({ name, servers, auth, tls, system, monitorUrls }));
  }

  /** The profile with secrets decrypted, for connecting. */
  resolve(id: string): ResolvedProfile {
    const p = this.get(id);
    return {
      id: p.id,
      name: p.name,
      servers: p.servers,
      auth: this.loadAuth(id, 'auth', p.auth),
      tls: p.tls,
      system: p.system ? { auth: this.loadAuth(id, 'system', p.system.auth) } : undefined,
      monitorUrls: p.monitorUrls,
      jsDomain: p.jsDomain,
      inboxPrefix: p.inboxPrefix,
      timeoutMs: p.timeoutMs,
      source: p.source,
    };
  }

  private storeAuth(id: string, scope: string, auth: AuthInput, prev?: PublicAuth): PublicAuth {
    const prefix = `profile:${id}:${scope}:`;
    if (prev && prev.kind !== auth.kind) this.secrets.deletePrefix(prefix);
    const rec = auth as Partial<Record<SecretField, string>>;
    for (const f of SECRET_FIELDS) {
      const v = rec[f];
      if (typeof v === 'string' && v.length > 0) this.secrets.set(prefix + f, v);
    }
    const hasSecret = SECRET_FIELDS.some((f) => this.secrets.has(prefix + f));
    return {
      kind: auth.kind,
      user: auth.kind === 'userpass' ? auth.user : undefined,
      credsFile: auth.kind === 'creds' ? auth.credsFile : undefined,
      hasSecret,
    };
  }

  private loadAuth(id: string, scope: string, pub: PublicAuth): AuthInput {
    const s = (f: SecretField) => this.secrets.get(`profile:${id}:${scope}:${f}`);
    switch (pub.kind) {
      case 'none':
        return { kind: 'none' };
      case 'userpass':
        return { kind: 'userpass', user: pub.user ?? '', password: s('password') };
      case 'token':
        return { kind: 'token', token: s('token') };
      case 'nkey':
        return { kind: 'nkey', seed: s('seed') };
      case 'creds':
        return { kind: 'creds', credsFile: pub.credsFile, creds: s('creds') };
    }
  }

  private persist(): void {
    writeFileAtomic(this.path, JSON.stringify(this.file, null, 2), 0o600);
  }
}

/** Auth given in the form wins; a URL only fills what the form left empty. */
function mergeUrlAuth(auth: AuthInput, fromUrl: AuthInput | undefined): AuthInput {
  if (!fromUrl || fromUrl.kind !== auth.kind) return auth;
  const filled = Object.fromEntries(Object.entries(auth).filter(([, v]) => v !== undefined && v !== ''));
  return { ...fromUrl, ...filled } as AuthInput;
}
