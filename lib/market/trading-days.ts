/** The calendar date in New York (YYYY-MM-DD), where US trading days are counted. */
export function newYorkDate(at: Date): string {
  return at.toLocaleDateString("en-CA", { timeZone: "America/New_York" });
}

/**
 * Weekdays before today in New York, newest first: the days whose close is final. Today's session is
 * never asked for, so a still-open (partial) day is never recorded. Holidays simply return no bars.
 */
export function completedTradingDays(now: Date, count: number): string[] {
  const days: string[] = [];
  const day = new Date(`${newYorkDate(now)}T12:00:00Z`);
  while (days.length < count) {
    day.setUTCDate(day.getUTCDate() - 1);
    const weekday = day.getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(day.toISOString().slice(0, 10));
  }
  return days;
}
