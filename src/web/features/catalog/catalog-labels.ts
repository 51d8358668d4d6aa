import { defineMessages, type Lang, type Msg } from '../../shared/i18n';
import type { ChannelFamily, DeadlineUnit, Duration, RequestTypeItem, Urgency } from './catalog.api';

export const familyLabels: Record<ChannelFamily, Msg> = defineMessages({
  phone: { zh: '电话', en: 'Phone' },
  network: { zh: '网络', en: 'Network' },
});

export const urgencyLabels: Record<Urgency, Msg> = defineMessages({
  normal: { zh: '一般', en: 'Normal' },
  urgent: { zh: '加急', en: 'Urgent' },
  emergency: { zh: '特急', en: 'Emergency' },
  complex: { zh: '疑难', en: 'Complex' },
});

export const deadlineUnitLabels: Record<DeadlineUnit, Msg> = defineMessages({
  'working-days': { zh: '个工作日', en: 'working days' },
  'working-hours': { zh: '个工作小时', en: 'working hours' },
  'calendar-hours': { zh: '小时（自然时）', en: 'calendar hours' },
  'calendar-days': { zh: '个自然日', en: 'calendar days' },
});

/** '5 个工作日' / '5 working days'. */
export function formatDuration(d: Duration, lang: Lang): string {
  const unit = deadlineUnitLabels[d.unit]?.[lang] ?? d.unit;
  return `${d.amount} ${unit}`;
}

/** A request type's name in the chosen language; the code when the catalogue does not know it. */
export function typeName(types: RequestTypeItem[] | undefined, code: string, lang: Lang): string {
  const t = types?.find((x) => x.code === code);
  if (!t) return code;
  return lang === 'en' ? t.nameEn : t.name;
}
