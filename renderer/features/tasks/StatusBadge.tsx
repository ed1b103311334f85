import type { TaskStatus } from '../../../api/task-wire';
import { STATUS_TONE } from './format';

export function StatusBadge({ status }: { status: TaskStatus }) {
  return (
    <span
      className={`badge task-status tone-${STATUS_TONE[status]}`}
      data-testid="task-status"
      data-status={status}
    >
      {status}
    </span>
  );
}
