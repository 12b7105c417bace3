/**
 * Every error code this package produces.
 *
 * @example
 * if (err.code === ERROR_CODES.HOST_NOT_ALLOWED) res.status(400).end(); `docs/errors.md` documents each one; a test keeps
 * the two in step in both directions.
 */
export const ERROR_CODES = {
  /** A bad option given to `trustedProxy()` or a bad variable read by `optionsFromEnv()`. */
  CONFIG: 'ERR_TRUSTED_PROXY_CONFIG',
  /** The request's final hostname is not in `allowedHosts` (status 400). */
  HOST_NOT_ALLOWED: 'ERR_HOST_NOT_ALLOWED',
  /** `reconstructUrl(req, path)` got a path that does not start with a single `/`. */
  INVALID_PATH: 'ERR_TRUSTED_PROXY_PATH',
} as const;

/**
 * Thrown by `trustedProxy()` and `optionsFromEnv()` for a configuration mistake, with a
 * message that names the bad value. Nothing a client sends ever causes it.
 *
 * Security: the message quotes the offending value JSON-escaped and cut to 64 characters, so
 * it is safe to log; fix the configuration rather than catching it at run time.
 *
 * @example
 * try { trustedProxy({ trustedHeaders: ['X-Forwarded-Fro'], trustedProxies: 'loopback' }) }
 * catch (err) { if (err instanceof TrustedProxyConfigError) console.error(err.message) }
 */
export class TrustedProxyConfigError extends TypeError {
  override readonly name = 'TrustedProxyConfigError';
  readonly code = ERROR_CODES.CONFIG;
}

/** The error passed to `next()` when `allowedHosts` refuses a request. */
export interface HostNotAllowedError extends Error {
  status: 400;
  statusCode: 400;
  expose: true;
  code: typeof ERROR_CODES.HOST_NOT_ALLOWED;
  hostname: string;
}

/** Quotes an untrusted value for an error or log message: JSON-escaped and cut short. */
export function quoteValue(value: unknown, max = 64): string {
  const text = String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

export function createHostNotAllowedError(hostname: string): HostNotAllowedError {
  const err = new Error(`Host not allowed: ${quoteValue(hostname)}`) as HostNotAllowedError;
  err.name = 'HostNotAllowedError';
  err.status = 400;
  err.statusCode = 400;
  err.expose = true;
  err.code = ERROR_CODES.HOST_NOT_ALLOWED;
  err.hostname = hostname;
  return err;
}

/** Builds a {@link TrustedProxyConfigError} whose message names the bad value. */
export function configError(message: string, value: unknown): TrustedProxyConfigError {
  return new TrustedProxyConfigError(`${message}: ${quoteValue(value)}`);
}
