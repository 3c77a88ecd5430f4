/** Signal handling shared by the two entry points (`npm start`, `npm run simulator`). */

/** Runs `handler` on the first SIGTERM or SIGINT; later ones are ignored, as closing is already under way. */
export function onFirstSignal(handler: (signal: NodeJS.Signals) => void): void {
  let fired = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (fired) return;
      fired = true;
      handler(signal);
    });
  }
}
