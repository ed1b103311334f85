/**
 * A live feed the UI pauses and resumes (stream tail, KV watch, core subscription): paused, it
 * keeps holding what arrives (bounded) and sends nothing; resumed, it sends what it held at once.
 * Subclasses say how a state change is announced and what a flush sends.
 */
export abstract class PausableFeed {
  protected abstract state: string;
  protected abstract setState(s: 'running' | 'paused'): void;
  protected abstract flush(): void;

  pause(): void {
    if (this.state === 'running') this.setState('paused');
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.setState('running');
    this.flush();
  }
}

/**
 * Deletes a feed's ordered consumer now rather than after the server's inactivity threshold;
 * one already gone (connection closed, or the server reaped it) is not an error.
 */
export function deleteConsumer(consumer: { delete(): Promise<unknown> } | undefined): Promise<void> {
  return consumer
    ? consumer.delete().then(
        () => undefined,
        () => undefined,
      )
    : Promise.resolve();
}
