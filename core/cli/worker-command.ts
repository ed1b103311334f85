import type { Command } from 'commander';

/** Adds `jetdeck worker` to the CLI. Filled by the task-queue work (worker runtime owner). */
export function registerWorkerCommand(program: Command): void {
  void program;
}
