/** Whether `value` parses as an https: URL. */
export function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Whether a URL carries a user name or password, which would end up in messages and logs. */
export function hasUrlCredentials(url: URL): boolean {
  return url.username !== '' || url.password !== '';
}

/** 127.0.0.0/8 as the URL parser writes it (it turns `127.1` and `0x7f.0.0.1` into dotted decimal). */
const LOOPBACK_IPV4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Whether a parsed URL's `hostname` is this machine: `localhost`, 127.0.0.0/8 or `[::1]`. */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || LOOPBACK_IPV4.test(hostname);
}

const HIDDEN_CREDENTIALS = '***';
/** `http://`, `https:\\`, `foo://`: a scheme and the slashes after it, which are kept. */
const SCHEME_AND_SLASHES = /^\s*[A-Za-z][A-Za-z0-9+.-]*:[/\\]+/;
/** `http:` and `https:` alone, after which a URL parser reads a user name (`http:admin:pw@host`). */
const HTTP_SCHEME = /^\s*https?:/i;

/**
 * A URL as given, for a message: with its user name and password replaced by `***`, whether it
 * parses or not. An http(s) URL that parses loses the userinfo the URL parser finds in it. For
 * anything else (a host with a space, a password with an unencoded `/`, `?`, `#` or `@`, no
 * scheme) everything up to the last `@` is hidden: that may hide more than the userinfo, never less.
 */
export function hideUrlCredentials(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) {
    if (!hasUrlCredentials(url)) return text;
    return `${url.protocol}//${HIDDEN_CREDENTIALS}@${url.host}${url.pathname}${url.search}${url.hash}`;
  }
  const lastAt = text.lastIndexOf('@');
  if (lastAt === -1) return text;
  const kept = (SCHEME_AND_SLASHES.exec(text) ?? HTTP_SCHEME.exec(text))?.[0] ?? '';
  return `${kept}${HIDDEN_CREDENTIALS}${text.slice(lastAt)}`;
}

/**
 * `scheme://userinfo@` inside free text, such as a driver's error message quoting its connection
 * URL. Up to the last `@` before a space, whatever the userinfo holds (an unencoded `/` or `@`
 * too): it may hide more than the userinfo, never less.
 */
const URL_CREDENTIALS_IN_TEXT = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)\S*@/g;

/** Free text (an error message) with the user name and password of every URL in it shown as `***`. */
export function hideUrlCredentialsInText(text: string): string {
  return text.replace(URL_CREDENTIALS_IN_TEXT, `$1${HIDDEN_CREDENTIALS}@`);
}
