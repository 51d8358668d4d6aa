/**
 * Official public holidays of the People's Republic of China, 2024–2026, as published each November by
 * the General Office of the State Council (国务院办公厅关于…部分节假日安排的通知). Dates are local
 * (Asia/Shanghai). This is the seed value; at run time the platform reads the administrator-editable
 * copy. Years not listed here fall back to plain Saturday/Sunday weekends.
 *
 * - `off`: days off — holidays, including the weekend days inside a holiday block.
 * - `work`: 调休上班 moved working days — Saturdays/Sundays worked in exchange for a longer holiday.
 */

export interface HolidayYear {
  readonly off: readonly string[];
  readonly work: readonly string[];
}

export type HolidayTable = Readonly<Record<string, HolidayYear>>;

export const CN_HOLIDAYS: HolidayTable = {
  '2024': {
    off: [
      '2024-01-01', // 元旦
      '2024-02-10', '2024-02-11', '2024-02-12', '2024-02-13', '2024-02-14', '2024-02-15', '2024-02-16', '2024-02-17', // 春节
      '2024-04-04', '2024-04-05', '2024-04-06', // 清明节
      '2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04', '2024-05-05', // 劳动节
      '2024-06-10', // 端午节
      '2024-09-15', '2024-09-16', '2024-09-17', // 中秋节
      '2024-10-01', '2024-10-02', '2024-10-03', '2024-10-04', '2024-10-05', '2024-10-06', '2024-10-07', // 国庆节
    ],
    work: ['2024-02-04', '2024-02-18', '2024-04-07', '2024-04-28', '2024-05-11', '2024-09-14', '2024-09-29', '2024-10-12'],
  },
  '2025': {
    off: [
      '2025-01-01', // 元旦
      '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04', // 春节
      '2025-04-04', '2025-04-05', '2025-04-06', // 清明节
      '2025-05-01', '2025-05-02', '2025-05-03', '2025-05-04', '2025-05-05', // 劳动节
      '2025-05-31', '2025-06-01', '2025-06-02', // 端午节
      '2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04', '2025-10-05', '2025-10-06', '2025-10-07', '2025-10-08', // 国庆节、中秋节
    ],
    work: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  '2026': {
    off: [
      '2026-01-01', '2026-01-02', '2026-01-03', // 元旦
      '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20', '2026-02-21', '2026-02-22', '2026-02-23', // 春节
      '2026-04-04', '2026-04-05', '2026-04-06', // 清明节
      '2026-05-01', '2026-05-02', '2026-05-03', '2026-05-04', '2026-05-05', // 劳动节
      '2026-06-19', '2026-06-20', '2026-06-21', // 端午节
      '2026-09-25', '2026-09-26', '2026-09-27', // 中秋节
      '2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07', // 国庆节
    ],
    work: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
  },
};

/** All off days and moved working days of a holiday table, flattened across years. */
export function flattenHolidayTable(table: HolidayTable): { offDays: string[]; workDays: string[] } {
  const years = Object.values(table);
  return { offDays: years.flatMap((y) => y.off), workDays: years.flatMap((y) => y.work) };
}
