/**
 * The date-time part of a RequestName, `<Requestor>_<RequestString>_<YYMMDD>_<HHMMSS>_<N>`:
 * its two `_`-separated fields before the last, e.g. `240115_093012`. Compared as strings,
 * these keys order requests by creation time (the website sorts some results by it).
 * Names with fewer fields give what Python's `split('_')[-3:-1]` gives, as the original.
 */
export function requestDateKey(requestName: string): string {
  return requestName.split('_').slice(-3, -1).join('_');
}
