/** Console output with the `[Affitor]` prefix: info and warn only in debug mode, errors always. */
export type LogLevel = 'info' | 'warn' | 'error';
export type Log = (level: LogLevel, ...args: unknown[]) => void;

export const createLogger =
  (isDebug: () => boolean): Log =>
  (level, ...args) => {
    // A page may replace or strip `console`; logging must never be the thing that throws.
    try {
      if (level == 'error' || isDebug()) console[level]('[Affitor]', ...args);
    } catch {
      /* ignore */
    }
  };

/** Errors only, for code that runs before (or without) the options that turn debug on: the script build's loading of its later files. */
export const logError: Log = /* @__PURE__ */ createLogger(() => false);
