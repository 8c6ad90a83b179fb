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
