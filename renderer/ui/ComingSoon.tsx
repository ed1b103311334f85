import { ScreenHeader } from './ScreenHeader';

/** An honest placeholder for a screen a later issue builds: says what it will do, shows nothing fake. */
export function ComingSoon({ title, what }: { title: string; what: string }) {
  return (
    <section className="screen" data-testid="coming-soon">
      <ScreenHeader title={title} />
      <div className="empty">
        <h2>Coming soon — not built yet</h2>
        <p>This screen will {what}. It is not part of this build.</p>
      </div>
    </section>
  );
}
