import type { ConnectionStatus } from '../../../api/features/connections';
import { nameAndServer } from './describe-status';

/** A screen header's subtitle: the profile's name, and its server when that says something more. */
export function ConnectionName({ status }: { status: Pick<ConnectionStatus, 'profileName' | 'server'> }) {
  const { profileName: name, server } = status;
  const showServer = !!server && nameAndServer(name, server) !== name;
  return (
    <>
      {name}
      {showServer && (
        <>
          {name ? ' · ' : ''}
          <span className="mono">{server}</span>
        </>
      )}
    </>
  );
}
