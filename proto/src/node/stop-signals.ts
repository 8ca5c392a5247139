/**
 * Runs `stop` once, on the first SIGTERM or SIGINT, then exits: 0 when it resolves, 1 when it rejects (after
 * `onError` with the error). A second signal while stopping is ignored, so that a drain is never cut short.
 */
export function stopOnSignals(stop: (signal: NodeJS.Signals) => Promise<void>, onError: (error: Error) => void): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      (e: Error) => {
        onError(e);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
