import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretBackendInfo } from '../../api/features/connections';
import { writeFileAtomic } from '../util/fs';

/** Encrypts single secrets. Electron supplies one backed by safeStorage; serve uses a key file. */
export interface SecretCipher {
  readonly info: SecretBackendInfo;
  encrypt(plain: string): string;
  decrypt(encoded: string): string;
}

/**
 * AES-256-GCM with a random key kept in `<dataDir>/secret.key` (mode 0600) for serve mode,
 * where no OS keychain exists. It protects secrets from casual reading of secrets.json and
 * from backups that skip the key, not from someone who can read the whole data folder.
 */
export class KeyFileCipher implements SecretCipher {
  readonly info: SecretBackendInfo = {
    name: 'key-file (AES-256-GCM, 0600)',
    secure: false,
    warning: 'Secrets are encrypted with a key stored beside them in the data folder (mode 0600).',
  };
  private readonly key: Buffer;

  constructor(dataDir: string) {
    const keyPath = join(dataDir, 'secret.key');
    if (existsSync(keyPath)) {
      this.key = Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64');
    } else {
      this.key = randomBytes(32);
      writeFileSync(keyPath, this.key.toString('base64'), { mode: 0o600 });
    }
    chmodSync(keyPath, 0o600);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join(
      ':',
    );
  }

  decrypt(encoded: string): string {
    const [v, iv, tag, body] = encoded.split(':');
    if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('unreadable secret');
    const d = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    d.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64')), d.final()]).toString('utf8');
  }
}

/** Named secrets, encrypted one by one, in `<dataDir>/secrets.json` (mode 0600). */
export class SecretStore {
  private readonly path: string;
  private data: Record<string, string>;

  constructor(
    dataDir: string,
    private readonly cipher: SecretCipher,
  ) {
    this.path = join(dataDir, 'secrets.json');
    this.data = existsSync(this.path)
      ? (JSON.parse(readFileSync(this.path, 'utf8')) as Record<string, string>)
      : {};
  }

  get info(): SecretBackendInfo {
    return this.cipher.info;
  }

  get(key: string): string | undefined {
    const v = this.data[key];
    return v === undefined ? undefined : this.cipher.decrypt(v);
  }

  has(key: string): boolean {
    return key in this.data;
  }

  set(key: string, value: string): void {
    this.data[key] = this.cipher.encrypt(value);
    this.save();
  }

  delete(key: string): void {
    if (!(key in this.data)) return;
    delete this.data[key];
    this.save();
  }

  deletePrefix(prefix: string): void {
    const keys = Object.keys(this.data).filter((k) => k.startsWith(prefix));
    keys.forEach((k) => delete this.data[k]);
    if (keys.length) this.save();
  }

  private save(): void {
    writeFileAtomic(this.path, JSON.stringify(this.data, null, 2), 0o600);
  }
}
