import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, apiRequest } from '../../shared/api';
import type { CalendarDay, DayKind, ImportYears, WorkingPeriod } from './calendar-utils';

/** 工作日历: days off, moved working days and working hours, as the server stores and uses them. */

export interface CalendarYear {
  year: number;
  timeZone: string;
  workingHours: WorkingPeriod[];
  days: CalendarDay[];
}

export type DeadlineUnit = 'working-days' | 'working-hours' | 'calendar-hours' | 'calendar-days';

const KEY = ['calendar'] as const;

export function useCalendarYear(year: number) {
  return useQuery({ queryKey: [...KEY, 'year', year], queryFn: ({ signal }) => api.get<CalendarYear>('/calendar', { year }, signal) });
}

function useInvalidate() {
  const qc = useQueryClient();
  // Any change moves deadlines: forget every cached year and every computed deadline.
  return () => qc.invalidateQueries({ queryKey: KEY });
}

export function useSetDay() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ date, kind, note }: { date: string; kind: DayKind | null; note?: string | null }) =>
      kind ? apiRequest<void>(`/calendar/days/${date}`, { method: 'PUT', body: { kind, note: note?.trim() ? note.trim() : null } }) : api.delete(`/calendar/days/${date}`),
    onSuccess: invalidate,
  });
}

export function useImportYears() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (body: ImportYears) => api.post<void>('/calendar/import', body), onSuccess: invalidate });
}

export function useSetWorkingHours() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (workingHours: WorkingPeriod[]) => apiRequest<void>('/calendar/working-hours', { method: 'PUT', body: { workingHours } }),
    onSuccess: invalidate,
  });
}

export function computeDeadline(q: { start: string; amount: number; unit: DeadlineUnit }) {
  return api.get<{ due: string }>('/calendar/deadline', { ...q });
}
