import { memo } from 'react';
import { useT } from '../../shared/i18n';
import { isWeekend, monthGrid, type DayKind } from './calendar-utils';
import { calMessages as m, weekdayNames } from './calendar-messages';

const MONTHS_ZH = ['一月', '二月', '三月', '四月', '五月', '六月', '七月', '八月', '九月', '十月', '十一月', '十二月'];
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Twelve small months: days off in red (休), moved working days in orange (班), plain weekends grey. */
export const YearView = memo(function YearView({
  year,
  exceptions,
  today,
  onPick,
}: {
  year: number;
  exceptions: Map<string, DayKind>;
  today: string;
  onPick?: (date: string) => void;
}) {
  const { t, lang } = useT();
  return (
    <div className="zt-cal-year" data-testid="calendar-year">
      {Array.from({ length: 12 }, (_, i) => i + 1).map((month) => (
        <div key={month} className="zt-cal-month">
          <div className="zt-cal-month-title">{lang === 'zh' ? MONTHS_ZH[month - 1] : MONTHS_EN[month - 1]}</div>
          <div className="zt-cal-grid">
            {weekdayNames[lang].map((w, i) => (
              <div key={w} className={`zt-cal-head${i >= 5 ? ' zt-cal-head-weekend' : ''}`}>
                {w}
              </div>
            ))}
            {monthGrid(year, month)
              .flat()
              .map((date, i) => {
                if (!date) return <div key={`e${i}`} className="zt-cal-cell zt-cal-empty" />;
                const kind = exceptions.get(date);
                const cls = ['zt-cal-cell', kind === 'off' ? 'zt-cal-off' : kind === 'work' ? 'zt-cal-work' : isWeekend(date) ? 'zt-cal-weekend' : '', date === today ? 'zt-cal-today' : '']
                  .filter(Boolean)
                  .join(' ');
                const label = kind === 'off' ? t(m.off) : kind === 'work' ? t(m.work) : undefined;
                const content = (
                  <>
                    <span className="zt-cal-num">{Number(date.slice(8))}</span>
                    {kind ? <span className="zt-cal-mark">{kind === 'off' ? t(m.offShort) : t(m.workShort)}</span> : null}
                  </>
                );
                return onPick ? (
                  <button key={date} type="button" className={cls} title={label ? `${date} ${label}` : date} onClick={() => onPick(date)} data-testid={`cal-day-${date}`} data-kind={kind ?? ''}>
                    {content}
                  </button>
                ) : (
                  <div key={date} className={cls} title={label ? `${date} ${label}` : date} data-testid={`cal-day-${date}`} data-kind={kind ?? ''}>
                    {content}
                  </div>
                );
              })}
          </div>
        </div>
      ))}
    </div>
  );
});
