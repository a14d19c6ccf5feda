// Secrets out of text meant for people and logs: the credentials in every URL of it (a
// password, a lone user part, which Redis and Git URLs use for a password or token), query
// parameters that carry a password, token, key or signature, and the bot's own API keys and
// device credentials. The logger applies it to
// every line, so a driver's error quoting its connection string cannot leak it.

/** `scheme://userinfo@`: greedy up to the authority's last "@", so a raw "@" in a password is covered. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi;

const SECRET_PARAMS = [
  'password',
  'passwd',
  'pwd',
  'pass',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'auth',
  'auth_token',
  'authorization',
  'api_key',
  'apikey',
  'api-key',
  'key',
  'private_token',
  'signature',
  'sig',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
  'sslpassword',
  'tlscertificatekeyfilepassword',
];
const QUERY_SECRET = new RegExp(`([?&;](?:${SECRET_PARAMS.map((p) => p.replace(/-/g, '\\-')).join('|')})=)[^&;#\\s"']*`, 'gi');

export const REDACTED = '***';

/** The bot's own secrets by their shape: API keys (`rbk_…`) and device credentials (`rbd1.DEVICE.KEY`, the device kept). */
const API_KEY = /\brbk_[A-Za-z0-9]{8,}/g;
const DEVICE_CREDENTIAL = /\b(rbd1\.[A-Za-z0-9][A-Za-z0-9._-]{0,62})\.[A-Za-z0-9_-]{20,}/g;

export function redactSecrets(text: string): string {
  const owned = text.includes('rbk_') || text.includes('rbd1.') ? text.replace(API_KEY, `rbk_${REDACTED}`).replace(DEVICE_CREDENTIAL, `$1.${REDACTED}`) : text;
  return redactUris(owned);
}

function redactUris(text: string): string {
  if (!text.includes('://') && !text.includes('=')) return text;
  return text
    .replace(USERINFO, (_all, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      // A user name beside a password is kept: it is not a secret and says who failed to log in.
      return `${scheme}${colon === -1 ? REDACTED : `${userinfo.slice(0, colon)}:${REDACTED}`}@`;
    })
    .replace(QUERY_SECRET, `$1${REDACTED}`);
}

/** Every string in `value` redacted, through objects and arrays (a log line's fields). */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) return redactSecrets(value.message);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  // Other objects (a Date, a Buffer) serialise as themselves.
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, depth + 1)]));
}
