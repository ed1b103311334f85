import { safeStorage } from 'electron';
import type { SecretBackendInfo } from '../api/features/connections';
import { KeyFileCipher, type SecretCipher } from '../core/connections/secret-store';

const SAFE_STORAGE_PREFIX = 'ss1:';

/**
 * Secrets encrypted with the OS keychain through Electron's safeStorage (call after `ready`).
 *
 * When safeStorage is unavailable, or on Linux picks the `basic_text` backend (no keyring: it
 * "encrypts" with a key hard-coded in Chromium), we fall back to the key-file cipher and say so
 * in `info`. Refusing to store secrets would make every authenticated profile unusable on
 * keyring-less Linux desktops, and a random per-install key in a 0600 file is strictly better
 * than basic_text's well-known key. Values are tagged (`ss1:` vs the key file's `v1:`), so
 * secrets saved under either backend stay readable if the keyring comes or goes.
 */
export class SafeStorageCipher implements SecretCipher {
  readonly info: SecretBackendInfo;
  private readonly useSafeStorage: boolean;
  private fallback?: KeyFileCipher;

  constructor(private readonly dataDir: string) {
    const problem = safeStorageProblem();
    this.useSafeStorage = problem === undefined;
    if (problem === undefined) {
      this.info = { name: `OS keychain (Electron safeStorage${linuxBackendSuffix()})`, secure: true };
    } else {
      this.info = {
        name: 'key-file (AES-256-GCM, 0600)',
        secure: false,
        warning: `${problem} Secrets are encrypted with a key stored beside them in the data folder (mode 0600).`,
      };
      console.warn(`[jetdeck] ${this.info.warning}`);
    }
  }

  encrypt(plain: string): string {
    if (!this.useSafeStorage) return this.keyFile().encrypt(plain);
    return SAFE_STORAGE_PREFIX + safeStorage.encryptString(plain).toString('base64');
  }

  decrypt(encoded: string): string {
    if (!encoded.startsWith(SAFE_STORAGE_PREFIX)) return this.keyFile().decrypt(encoded);
    if (!safeStorage.isEncryptionAvailable()) {
      throw new Error('this secret was saved with the OS keychain, which is not available now');
    }
    return safeStorage.decryptString(Buffer.from(encoded.slice(SAFE_STORAGE_PREFIX.length), 'base64'));
  }

  /** Created lazily so machines with a working keychain never get a key file. */
  private keyFile(): KeyFileCipher {
    return (this.fallback ??= new KeyFileCipher(this.dataDir));
  }
}

function safeStorageProblem(): string | undefined {
  if (!safeStorage.isEncryptionAvailable()) return 'The OS keychain is not available to JetDeck.';
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
    return 'No keyring (gnome-libsecret or kwallet) was found, so Electron would store secrets in plain text.';
  }
  return undefined;
}

function linuxBackendSuffix(): string {
  return process.platform === 'linux' ? `, ${safeStorage.getSelectedStorageBackend()}` : '';
}
