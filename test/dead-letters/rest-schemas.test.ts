import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  DeadLetterGroup,
  DeadLetterGroups,
  EditDryRun,
  EditRetryResult,
  EditSample,
  GroupDiscardResult,
} from '../../api/features/dead-letters';
import type { DeadLetter } from '../../api/features/tasks';
import type {
  deadLetterGroupsSchema,
  deadLetterSchema,
  dryRunSchema,
  editRetrySchema,
  groupDiscardSchema,
} from '../../core/tasks/dead-letters/rest';

/** Same check as test/tasks/rest-schemas.test.ts: key sets and required keys both ways (tsc). */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type Out<S extends z.ZodType> = z.output<S>;

describe('dead-letter REST response schemas cover the contract types exactly', () => {
  it('DeadLetter', () => {
    expectTypeOf<keyof Out<typeof deadLetterSchema>>().toEqualTypeOf<keyof DeadLetter>();
    expectTypeOf<RequiredKeys<Out<typeof deadLetterSchema>>>().toEqualTypeOf<RequiredKeys<DeadLetter>>();
  });
  it('DeadLetterGroups', () => {
    type G = Out<typeof deadLetterGroupsSchema>;
    expectTypeOf<keyof G>().toEqualTypeOf<keyof DeadLetterGroups>();
    expectTypeOf<keyof G['groups'][number]>().toEqualTypeOf<keyof DeadLetterGroup>();
    expectTypeOf<RequiredKeys<G['groups'][number]>>().toEqualTypeOf<RequiredKeys<DeadLetterGroup>>();
  });
  it('group results and the dry run', () => {
    expectTypeOf<keyof Out<typeof groupDiscardSchema>>().toEqualTypeOf<keyof GroupDiscardResult>();
    expectTypeOf<keyof Out<typeof editRetrySchema>>().toEqualTypeOf<keyof EditRetryResult>();
    type D = Out<typeof dryRunSchema>;
    expectTypeOf<keyof D>().toEqualTypeOf<keyof EditDryRun>();
    expectTypeOf<RequiredKeys<D['samples'][number]>>().toEqualTypeOf<RequiredKeys<EditSample>>();
  });
});
