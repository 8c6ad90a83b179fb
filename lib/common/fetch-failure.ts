const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'the connection was reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'the connection timed out',
};

/** The error code behind a failed fetch (`ECONNREFUSED`, `CERT_HAS_EXPIRED`...), if it has one. */
export function fetchFailureCode(error: unknown): string | undefined {
  // Duck-typed rather than `instanceof Error`: fetch's errors may come from another realm (a test VM context).
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/**
 * Why a fetch failed, told from its cause's code only: fetch's own messages may quote the URL,
 * and with it any user name and password in it.
 */
export function describeFetchFailure(error: unknown): string {
  const code = fetchFailureCode(error);
  if (code === undefined) return 'the request failed';
  const cause = NETWORK_CAUSES[code];
  return cause ? `${cause} (${code})` : code;
}
