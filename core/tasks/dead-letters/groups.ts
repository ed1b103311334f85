import type { DeadLetterGroup, DeadLetterGroups } from '../../../api/features/dead-letters';
import type { DeadLetter } from '../../../api/features/tasks';
import { errorOf } from './filter';
import { normaliseError } from './fingerprint';

/** Groups listed at most (the largest first); the list of dead letters itself is capped upstream. */
export const MAX_GROUPS = 200;
const IDS_PER_GROUP = 20;

/** Dead letters (newest failure first) → groups by fingerprint, the largest first. */
export function groupDeadLetters(letters: readonly DeadLetter[]): DeadLetterGroups {
  const groups = new Map<string, DeadLetterGroup & { typeCounts: Map<string, number> }>();
  for (const d of letters) {
    let g = groups.get(d.fingerprint);
    if (!g) {
      const example = errorOf(d.last_error, d.reason);
      g = {
        fingerprint: d.fingerprint,
        message: normaliseError(example),
        example,
        count: 0,
        first_seen: d.failed_at,
        last_seen: d.failed_at,
        types: [],
        reasons: {},
        ids: [],
        typeCounts: new Map(),
      };
      groups.set(d.fingerprint, g);
    }
    g.count++;
    if (d.failed_at < g.first_seen) g.first_seen = d.failed_at;
    if (d.failed_at > g.last_seen) g.last_seen = d.failed_at;
    g.reasons[d.reason] = (g.reasons[d.reason] ?? 0) + 1;
    g.typeCounts.set(d.type, (g.typeCounts.get(d.type) ?? 0) + 1);
    if (g.ids.length < IDS_PER_GROUP) g.ids.push(d.id);
  }
  const all = [...groups.values()]
    .map(({ typeCounts, ...g }) => ({
      ...g,
      types: [...typeCounts].map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count),
    }))
    .sort((a, b) => b.count - a.count || b.last_seen.localeCompare(a.last_seen));
  return { groups: all.slice(0, MAX_GROUPS), total: letters.length, truncated: all.length > MAX_GROUPS };
}
