import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import type { ConnectionProfile, TestResult } from '../../../api/features/connections';
import { Field, FieldInput } from '../../ui/Field';
import { Modal } from '../../ui/Modal';
import { toastInfo, toEnvelope } from '../toasts/store';
import { AuthFields } from './AuthFields';
import {
  formFrom,
  serverFieldErrors,
  toInput,
  validate,
  type FieldErrors,
  type ProfileForm,
} from './profile-form-model';
import { TestResultView } from './TestResultView';

/** Add or edit a profile. Validates as the user types once they tried to save; server errors land inline. */
export function ProfileDialog({ profile, onClose }: { profile?: ConnectionProfile; onClose: () => void }) {
  const [form, setForm] = useState<ProfileForm>(() => formFrom(profile));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState<'save' | 'test'>();
  const [test, setTest] = useState<TestResult | 'running'>();

  const update = (next: ProfileForm) => {
    setForm(next);
    if (tried) setErrors(validate(next));
  };
  const patch = (p: Partial<ProfileForm>) => update({ ...form, ...p });

  const check = (): boolean => {
    setTried(true);
    const errs = validate(form);
    setErrors(errs);
    return Object.keys(errs).length === 0;
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!check()) return;
    setBusy('save');
    setFormError(undefined);
    try {
      const saved = await api.call('connections.save', toInput(form));
      toastInfo(profile ? 'Connection saved' : 'Connection added', saved.name);
      onClose();
    } catch (err) {
      const env = toEnvelope(err);
      const fieldErrs = env.code === 'invalid_input' ? serverFieldErrors(env.detail) : {};
      if (env.code === 'conflict' && /named/.test(env.message)) fieldErrs.name = env.message;
      setErrors(fieldErrs);
      setFormError(env.message);
    } finally {
      setBusy(undefined);
    }
  };

  const runTest = async () => {
    if (!check()) return;
    setBusy('test');
    setTest('running');
    try {
      setTest(await api.call('connections.test', toInput(form)));
    } catch (err) {
      const env = toEnvelope(err);
      setTest({ ok: false, error: { code: env.code, message: env.message } });
    } finally {
      setBusy(undefined);
    }
  };

  const t = form.tls;
  const setTls = (p: Partial<ProfileForm['tls']>) => patch({ tls: { ...t, ...p } });
  return (
    <Modal
      title={profile ? `Edit ${profile.name}` : 'Add connection'}
      onClose={onClose}
      wide
      testId="profile-dialog"
      footer={
        <>
          <span className="footer-status">{test && <TestResultView result={test} />}</span>
          <button
            type="button"
            className="btn"
            onClick={runTest}
            disabled={!!busy}
            data-testid="profile-test"
          >
            {busy === 'test' ? 'Testing…' : 'Test'}
          </button>
          <button type="button" className="btn" onClick={onClose} data-testid="profile-cancel">
            Cancel
          </button>
          <button
            type="submit"
            form="profile-form"
            className="btn primary"
            disabled={!!busy}
            data-testid="profile-save"
          >
            {busy === 'save' ? 'Saving…' : 'Save'}
          </button>
        </>
      }
    >
      <form id="profile-form" className="form" onSubmit={save} noValidate>
        {formError && (
          <div className="banner error" role="alert" data-testid="profile-form-error">
            {formError}
          </div>
        )}
        <FieldInput
          id="name"
          label="Name"
          error={errors.name}
          testId="field-name"
          autoFocus
          value={form.name}
          onValue={(v) => patch({ name: v })}
        />
        <Field
          id="servers"
          label="Server URLs"
          error={errors.servers}
          hint="One per line, e.g. nats://host:4222 or tls://host:4222"
        >
          <textarea
            id="servers"
            rows={2}
            className="mono"
            spellCheck={false}
            value={form.servers}
            onChange={(e) => patch({ servers: e.target.value })}
            data-testid="field-servers"
          />
        </Field>
        <AuthFields prefix="auth" value={form.auth} onChange={(auth) => patch({ auth })} errors={errors} />

        <div className={`section${t.enabled ? ' open' : ''}`}>
          <label className="check section-title">
            <input
              type="checkbox"
              checked={t.enabled}
              onChange={(e) => setTls({ enabled: e.target.checked })}
              data-testid="field-tls-enabled"
            />
            TLS
          </label>
          {t.enabled && (
            <>
              <FieldInput
                id="tls.caFile"
                label="CA certificate file"
                error={errors['tls.caFile']}
                hint="Leave empty to use the system CAs"
                testId="field-tls-ca"
                value={t.caFile}
                onValue={(v) => setTls({ caFile: v })}
              />
              <div className="row2">
                <FieldInput
                  id="tls.certFile"
                  label="Client certificate file"
                  error={errors['tls.certFile']}
                  testId="field-tls-cert"
                  value={t.certFile}
                  onValue={(v) => setTls({ certFile: v })}
                />
                <FieldInput
                  id="tls.keyFile"
                  label="Client key file"
                  error={errors['tls.keyFile']}
                  testId="field-tls-key"
                  value={t.keyFile}
                  onValue={(v) => setTls({ keyFile: v })}
                />
              </div>
              <label className="check">
                <input
                  type="checkbox"
                  checked={t.handshakeFirst}
                  onChange={(e) => setTls({ handshakeFirst: e.target.checked })}
                  data-testid="field-tls-handshake-first"
                />
                TLS handshake first (server has <code>handshake_first</code>)
              </label>
            </>
          )}
        </div>

        <div className={`section${form.systemEnabled ? ' open' : ''}`}>
          <label className="check section-title">
            <input
              type="checkbox"
              checked={form.systemEnabled}
              onChange={(e) => patch({ systemEnabled: e.target.checked })}
              data-testid="field-system-enabled"
            />
            System-account credentials (optional, for monitoring)
          </label>
          {form.systemEnabled && (
            <AuthFields
              prefix="system"
              value={form.system}
              onChange={(system) => patch({ system })}
              errors={errors}
            />
          )}
        </div>

        <Field
          id="monitorUrls"
          label="Monitoring URLs"
          error={errors.monitorUrls}
          hint="Optional, one per line, e.g. http://host:8222"
        >
          <textarea
            id="monitorUrls"
            rows={2}
            className="mono"
            spellCheck={false}
            value={form.monitorUrls}
            onChange={(e) => patch({ monitorUrls: e.target.value })}
            data-testid="field-monitor-urls"
          />
        </Field>
      </form>
    </Modal>
  );
}
