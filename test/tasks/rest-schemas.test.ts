import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  LaneStatus,
  PublishResult,
  QueueStatus,
  TaskDetail,
  TaskList,
  TaskSummary,
  TimelineEntry,
} from '../../api/features/tasks';
import type {
  laneSchema,
  queueStatusSchema,
  statusResultSchema,
  taskDetailSchema,
  taskListSchema,
  taskSummarySchema,
  timelineEntrySchema,
} from '../../core/tasks/rest-schemas';

/**
 * `satisfies z.ZodType<T>` lets a response schema miss an optional field of T, so the OpenAPI
 * document would silently drift from what handlers return. These checks compare key sets, and
 * which keys are required, both ways. They run in `npm run typecheck` (tsc fails on a mismatch);
 * vitest only lists them.
 */
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type Out<S extends z.ZodType> = z.output<S>;

describe('REST response schemas cover the contract types exactly', () => {
  it('TaskSummary', () => {
    expectTypeOf<keyof Out<typeof taskSummarySchema>>().toEqualTypeOf<keyof TaskSummary>();
    expectTypeOf<RequiredKeys<Out<typeof taskSummarySchema>>>().toEqualTypeOf<RequiredKeys<TaskSummary>>();
  });
  it('TimelineEntry', () => {
    expectTypeOf<keyof Out<typeof timelineEntrySchema>>().toEqualTypeOf<keyof TimelineEntry>();
    expectTypeOf<RequiredKeys<Out<typeof timelineEntrySchema>>>().toEqualTypeOf<
      RequiredKeys<TimelineEntry>
    >();
  });
  it('TaskDetail', () => {
    expectTypeOf<keyof Out<typeof taskDetailSchema>>().toEqualTypeOf<keyof TaskDetail>();
    expectTypeOf<RequiredKeys<Out<typeof taskDetailSchema>>>().toEqualTypeOf<RequiredKeys<TaskDetail>>();
  });
  it('TaskList', () => {
    expectTypeOf<keyof Out<typeof taskListSchema>>().toEqualTypeOf<keyof TaskList>();
    expectTypeOf<RequiredKeys<Out<typeof taskListSchema>>>().toEqualTypeOf<RequiredKeys<TaskList>>();
  });
  it('setStatus result', () => {
    type StatusResult = { task: TaskSummary; retry?: PublishResult };
    expectTypeOf<keyof Out<typeof statusResultSchema>>().toEqualTypeOf<keyof StatusResult>();
    expectTypeOf<RequiredKeys<Out<typeof statusResultSchema>>>().toEqualTypeOf<RequiredKeys<StatusResult>>();
  });
  it('LaneStatus and QueueStatus', () => {
    expectTypeOf<keyof Out<typeof laneSchema>>().toEqualTypeOf<keyof LaneStatus>();
    expectTypeOf<RequiredKeys<Out<typeof laneSchema>>>().toEqualTypeOf<RequiredKeys<LaneStatus>>();
    expectTypeOf<keyof Out<typeof queueStatusSchema>>().toEqualTypeOf<keyof QueueStatus>();
    expectTypeOf<RequiredKeys<Out<typeof queueStatusSchema>>>().toEqualTypeOf<RequiredKeys<QueueStatus>>();
  });
});
