/** The logging the auth core needs; Nest's `Logger` satisfies it. */
export interface AuthLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
