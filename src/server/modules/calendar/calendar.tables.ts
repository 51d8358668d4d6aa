export interface CalendarDaysTable {
  date: string;
  kind: 'off' | 'work';
  note: string | null;
  updated_at: string;
}

export interface CalendarTables {
  calendar_days: CalendarDaysTable;
}
