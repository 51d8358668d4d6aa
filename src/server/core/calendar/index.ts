export {
  addDaysToDate,
  formatInstantWithOffset,
  getTimeZoneOffsetMs,
  getZonedParts,
  isValidTimeZone,
  nextLocalHour,
  toLocalDate,
  weekdayOfDate,
  zonedTimeToInstant,
  type LocalDateTimeParts,
  type ZonedParts,
} from './timezone';
export { CN_HOLIDAYS, flattenHolidayTable, type HolidayTable, type HolidayYear } from './cn-holidays';
export {
  DEADLINE_UNITS,
  DEFAULT_WORKING_HOURS,
  WorkingCalendar,
  createCalendarFromHolidays,
  createDefaultCalendar,
  createWorkingCalendar,
  type DeadlineUnit,
  type WorkingCalendarOptions,
  type WorkingPeriod,
} from './working-calendar';
