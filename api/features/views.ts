import { z } from 'zod';
import { event, method } from '../define';
import { jsNameSchema, subjectSchema } from './streams';
import { deadLetterFilterSchema, listInputSchema } from './tasks';

/*
 * Saved views: a filter of Tasks, Dead letters or Messages saved under a name in the KV bucket
 * `jetdeck_views` (key `<screen>.<name>`), so everyone using the same NATS account shares them.
 * REST takes one as `?view=<name>` on GET /api/tasks and GET /api/dead-letters; parameters
 * given next to it override the view's.
 */

export const VIEWS_BUCKET = 'jetdeck_views';
export const VIEW_SCREENS = ['tasks', 'deadLetters', 'messages'] as const;
export type ViewScreen = (typeof VIEW_SCREENS)[number];

/** One KV key token: letters, digits, `_` and `-`, so it is also a plain URL query value. */
export const viewNameSchema = z
  .string()
  .min(1, 'a view needs a name')
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'a view name uses letters, digits, "_" and "-" only');

export const taskViewFilterSchema = listInputSchema.pick({ status: true, type: true, q: true });
export const deadLetterViewFilterSchema = deadLetterFilterSchema.pick({
  type: true,
  q: true,
  includeResolved: true,
  fingerprint: true,
});
export const messageViewFilterSchema = z.strictObject({
  stream: jsNameSchema,
  subject: subjectSchema.optional(),
});

const common = {
  name: viewNameSchema,
  description: z.string().max(500).optional(),
};
export const savedViewInputSchema = z.discriminatedUnion('screen', [
  z.strictObject({ screen: z.literal('tasks'), ...common, filter: taskViewFilterSchema }),
  z.strictObject({ screen: z.literal('deadLetters'), ...common, filter: deadLetterViewFilterSchema }),
  z.strictObject({ screen: z.literal('messages'), ...common, filter: messageViewFilterSchema }),
]);
export type SavedViewInput = z.input<typeof savedViewInputSchema>;
export type SavedViewDef = z.output<typeof savedViewInputSchema>;
export type ViewFilterOf<S extends ViewScreen> = Extract<SavedViewDef, { screen: S }>['filter'];

export type SavedView = SavedViewDef & {
  /** ISO time of the last save. */
  updated_at: string;
  /** The KV revision: pass it as `expectRevision` to overwrite only what you read. */
  revision: number;
};

const viewRef = z.strictObject({ screen: z.enum(VIEW_SCREENS), name: viewNameSchema });

export const viewsMethods = {
  /** The views saved for a screen (or all), by name. None yet (no bucket): an empty list. */
  'views.list': method(z.strictObject({ screen: z.enum(VIEW_SCREENS).optional() }).optional()).returns<{
    views: SavedView[];
  }>(),
  'views.get': method(viewRef).returns<SavedView>(),
  /**
   * Saves (creating the bucket the first time). With `expectRevision` it overwrites only that
   * revision (0 = only a new name): a concurrent change is a conflict, not lost.
   */
  'views.save': method(
    z.strictObject({ view: savedViewInputSchema, expectRevision: z.number().int().nonnegative().optional() }),
  ).returns<SavedView>(),
  'views.delete': method(viewRef).returns<{ deleted: boolean }>(),
};

export const viewsEvents = {
  /** A view was saved or deleted through this JetDeck. */
  'views.changed': event<{ screen: ViewScreen; name: string; change: 'saved' | 'deleted' }>(),
};
