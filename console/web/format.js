// How people read what the API gives: money in the program's currency
// ("£12.34", from minor units), dates and times in the program's time zone
// (the API's ISO strings carry its offset: they are shown as written, never
// converted to the browser's zone), counts with separators.

const digitsCache = new Map();

// Minor-unit digits of an ISO 4217 currency (2 for GBP, 0 for JPY).
export function currencyDigits(currency) {
  if (!digitsCache.has(currency)) {
    let digits = 2;
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency })
        .resolvedOptions().maximumFractionDigits;
    } catch { /* unknown code: two decimals */ }
    digitsCache.set(currency, digits);
  }
  return digitsCache.get(currency);
}

export function money(minor, currency) {
  if (minor === undefined || minor === null) return '—';
  const digits = currencyDigits(currency);
  const value = Number(minor) / 10 ** digits;
  try {
    return new Intl.NumberFormat('en-GB', {
      style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits,
    }).format(value);
  } catch {
    return `${value.toFixed(digits)} ${currency}`;
  }
}

export function count(n) {
  if (n === undefined || n === null) return '—';
  return new Intl.NumberFormat('en-GB').format(n);
}

export function points(n) {
  if (n === undefined || n === null) return '—';
  const sign = n > 0 ? '+' : '';
  return sign + count(n);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// "2026-03-01" -> "1 Mar 2026"
export function date(iso) {
  if (!iso) return '—';
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}

// "2026-03-01T14:05:00+01:00" -> "1 Mar 2026, 14:05"
export function dateTime(iso) {
  if (!iso) return '—';
  return `${date(iso)}, ${iso.slice(11, 16)}`;
}

// Milliseconds since the epoch, in a zone `offsetMinutes` east of UTC.
export function isoAt(ms, offsetMinutes) {
  if (!ms) return '';
  const local = new Date(ms + offsetMinutes * 60000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

export function percent(permille) {
  return `${(permille / 10).toFixed(0)}%`;
}
