/** Wall-clock times for the live views: a person compares them with the clock on the wall, so local time. */

/** HH:MM:SS in local time. */
export function clockTime(at: Date): string {
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}
