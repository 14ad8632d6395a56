/** Epoch milliseconds (microsecond precision) as RFC 3339 with every digit we have: `...T07:20:00.123456Z`. */
export function rfc3339(epochMillis: number): string {
  const micros = Math.round(epochMillis * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros - seconds * 1_000_000).padStart(6, '0');
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}
