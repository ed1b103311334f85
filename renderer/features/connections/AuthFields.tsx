import { Field, FieldInput } from '../../ui/Field';
import { AUTH_KINDS, type AuthForm, type FieldErrors } from './profile-form-model';

const KEEP = '•••• stored — leave empty to keep';

/** Auth kind select plus the fields that kind needs. `prefix` is "auth" or "system". */
export function AuthFields({
  prefix,
  value,
  onChange,
  errors,
}: {
  prefix: 'auth' | 'system';
  value: AuthForm;
  onChange: (a: AuthForm) => void;
  errors: FieldErrors;
}) {
  const set = (patch: Partial<AuthForm>) => onChange({ ...value, ...patch });
  const id = (f: string) => `${prefix}.${f}`;
  const secretPlaceholder = value.hasSecret ? KEEP : undefined;
  const input = (
    f: 'user' | 'password' | 'token' | 'seed' | 'credsFile',
    label: string,
    opts: { secret?: boolean; placeholder?: string } = {},
  ) => (
    <FieldInput
      id={id(f)}
      label={label}
      error={errors[id(f)]}
      testId={`field-${prefix}-${f}`}
      type={opts.secret ? 'password' : 'text'}
      autoComplete="off"
      spellCheck={false}
      value={value[f]}
      placeholder={opts.secret ? secretPlaceholder : opts.placeholder}
      onValue={(v) => set({ [f]: v })}
    />
  );
  return (
    <>
      <Field id={id('kind')} label="Authentication" error={errors[id('kind')]}>
        <select
          id={id('kind')}
          value={value.kind}
          // A different kind has no stored secret to keep.
          onChange={(e) => set({ kind: e.target.value as AuthForm['kind'], hasSecret: false })}
          data-testid={`field-${prefix}-kind`}
        >
          {AUTH_KINDS.map((k) => (
            <option key={k.kind} value={k.kind}>
              {k.label}
            </option>
          ))}
        </select>
      </Field>
      {value.kind === 'userpass' && (
        <div className="row2">
          {input('user', 'User')}
          {input('password', 'Password', { secret: true })}
        </div>
      )}
      {value.kind === 'token' && input('token', 'Token', { secret: true })}
      {value.kind === 'nkey' && input('seed', 'NKey seed (SU…)', { secret: true })}
      {value.kind === 'creds' && (
        <>
          <div className="segmented" role="radiogroup" aria-label="Creds source">
            {(['file', 'paste'] as const).map((m) => (
              <button
                key={m}
                type="button"
                role="radio"
                aria-checked={value.credsMode === m}
                className={value.credsMode === m ? 'on' : undefined}
                onClick={() => set({ credsMode: m })}
                data-testid={`${prefix}-creds-${m}`}
              >
                {m === 'file' ? 'File path' : 'Paste content'}
              </button>
            ))}
          </div>
          {value.credsMode === 'file' ? (
            input('credsFile', 'Creds file path', { placeholder: '/home/me/.nkeys/creds/O/A/user.creds' })
          ) : (
            <Field id={id('creds')} label="Creds file content" error={errors[id('creds')]}>
              <textarea
                id={id('creds')}
                rows={5}
                spellCheck={false}
                className="mono"
                value={value.creds}
                placeholder={secretPlaceholder ?? '-----BEGIN NATS USER JWT-----\n…'}
                onChange={(e) => set({ creds: e.target.value })}
                data-testid={`field-${prefix}-creds`}
              />
            </Field>
          )}
        </>
      )}
    </>
  );
}
