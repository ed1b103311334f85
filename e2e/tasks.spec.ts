import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { TasksPage } from './pages/tasks-page';
import { WorkersPage } from './pages/workers-page';

/**
 * A handler that fails until a file it needs exists: the realistic "fix the cause, then retry
 * the dead letter" story, deterministic because the spec creates the file between the two runs.
 */
const HANDLERS = `import { existsSync, readFileSync } from 'node:fs';
export default {
  'import-report': (task) => {
    const path = task.payload.path;
    if (!existsSync(path)) throw new Error('report file not found: ' + path);
    return { lines: readFileSync(path, 'utf8').trim().split('\\n').length };
  },
};
`;

test.describe('tasks', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'jetdeck-e2e-handlers-'));
  });
  test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a failing task shows its error, lands in dead letters, and a retry from there succeeds', async ({
    app,
    serve,
  }) => {
    const workers = new WorkersPage(app);
    const tasks = new TasksPage(app);
    const report = join(dir, 'report.csv');
    // Handler modules come from the serve host's data folder, chosen there by the user.
    writeFileSync(join(serve.dataDir, 'handlers', 'handlers.mjs'), HANDLERS);

    await workers.open();
    await workers.start({ threads: 1, handlers: 'handlers.mjs' });

    await tasks.open();
    await expect(app.getByTestId('tasks-empty')).toContainText('No tasks yet');

    // `fail` always throws: 3 attempts (backoff 1 s, 5 s), then failed and terminated.
    await tasks.publish({ type: 'fail', payload: '{"message": "boom"}', id: 'e2e-boom' });
    await app.getByTestId('publish-result-id').click();
    const boom = tasks.detailBody('e2e-boom');
    await expect(boom.getByTestId('detail-error')).toContainText('boom');
    await expect(boom).toHaveAttribute('data-status', 'failed', { timeout: 20_000 });
    await expect(boom.getByTestId('detail-attempts')).toHaveText('3');
    await expect(boom.getByTestId('timeline-error')).toHaveCount(3);
    await tasks.closeDetail();

    // The task needs a file that is not there yet: one attempt, then a dead letter.
    await tasks.publish({
      type: 'import-report',
      payload: JSON.stringify({ path: report }),
      id: 'e2e-report',
      maxAttempts: 1,
    });
    await expect(tasks.row('e2e-report')).toHaveAttribute('data-status', 'failed');

    await tasks.openDeadLetters();
    const boomLetter = tasks.deadLetter('e2e-boom');
    await expect(boomLetter.getByTestId('dead-attempt-error')).toHaveCount(3);
    await expect(boomLetter.getByTestId('dead-attempt-error').first()).toContainText('boom');
    await expect(boomLetter.getByTestId('dead-attempts')).toContainText('3 attempts');
    const reportLetter = tasks.deadLetter('e2e-report');
    await expect(reportLetter.getByTestId('dead-attempt-error')).toContainText('report file not found');

    // Fix the cause, retry from the dead letter: a new task linked to the old one completes.
    writeFileSync(report, 'a,b\n1,2\n3,4\n');
    await reportLetter.getByTestId('dead-retry').click();
    const retried = tasks.detailBody();
    await expect(retried.getByTestId('detail-retry-of')).toHaveText('e2e-report');
    await expect(retried).toHaveAttribute('data-status', 'completed');
    await expect(retried.getByTestId('detail-result')).toContainText('3');
    await expect(reportLetter).toHaveCount(0);

    // The old task links forward to its retry.
    await retried.getByTestId('detail-retry-of').click();
    const old = tasks.detailBody('e2e-report');
    await expect(old).toHaveAttribute('data-status', 'failed');
    await expect(old.getByTestId('detail-retried-as')).toHaveCount(1);
  });
});
