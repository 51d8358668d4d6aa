import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

/**
 * The app's own strings, Chinese first. No library: each feature declares its texts beside its code
 * with defineMessages(), and components read them through useT(). The chosen language persists in
 * localStorage and is sent to the API as Accept-Language, so server messages match the UI.
 */
export type Lang = 'zh' | 'en';
export interface Msg {
  zh: string;
  en: string;
}

const STORAGE_KEY = 'zt.lang';

function readStoredLang(): Lang {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

let currentLang: Lang = readStoredLang();

/** The language outside React (the API client needs it for Accept-Language). */
export function getLang(): Lang {
  return currentLang;
}

function storeLang(lang: Lang): void {
  currentLang = lang;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
}

/** Identity helper that keeps the literal keys, so `m.title` is checked by the compiler. */
export function defineMessages<T extends Record<string, Msg>>(messages: T): T {
  return messages;
}

export type Vars = Record<string, string | number>;

/** Replaces {name} placeholders. */
export function formatMsg(text: string, vars?: Vars): string {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function translate(msg: Msg, lang: Lang, vars?: Vars): string {
  return formatMsg(msg[lang], vars);
}

interface I18nValue {
  lang: Lang;
  setLang(lang: Lang): void;
  t(msg: Msg, vars?: Vars): string;
}

const I18nContext = createContext<I18nValue | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(currentLang);
  const setLang = useCallback((next: Lang) => {
    storeLang(next);
    setLangState(next);
  }, []);
  const value = useMemo<I18nValue>(() => ({ lang, setLang, t: (msg, vars) => translate(msg, lang, vars) }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useT(): I18nValue {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useT() outside <I18nProvider>');
  return v;
}

/** Texts shared by many screens. */
export const common = defineMessages({
  appName: { zh: '政通', en: 'Zhengtong' },
  appSubtitle: { zh: '市政府办公厅运行管理平台', en: 'City Government General Office Platform' },
  ok: { zh: '确定', en: 'OK' },
  cancel: { zh: '取消', en: 'Cancel' },
  save: { zh: '保存', en: 'Save' },
  create: { zh: '新增', en: 'New' },
  edit: { zh: '编辑', en: 'Edit' },
  search: { zh: '查询', en: 'Search' },
  reset: { zh: '重置', en: 'Reset' },
  retry: { zh: '重试', en: 'Retry' },
  actions: { zh: '操作', en: 'Actions' },
  more: { zh: '更多', en: 'More' },
  all: { zh: '全部', en: 'All' },
  yes: { zh: '是', en: 'Yes' },
  no: { zh: '否', en: 'No' },
  loading: { zh: '正在加载…', en: 'Loading…' },
  empty: { zh: '暂无数据', en: 'No data' },
  emptyFiltered: { zh: '没有符合条件的记录', en: 'No records match the filters' },
  loadFailed: { zh: '数据加载失败', en: 'Could not load the data' },
  saved: { zh: '已保存', en: 'Saved' },
  total: { zh: '共 {n} 条', en: '{n} in total' },
  sortBy: { zh: '排序', en: 'Sort' },
  ascending: { zh: '升序', en: 'ascending' },
  descending: { zh: '降序', en: 'descending' },
  never: { zh: '从未', en: 'Never' },
  required: { zh: '请填写{label}', en: '{label} is required' },
  requiredSelect: { zh: '请选择{label}', en: 'Choose {label}' },
  language: { zh: '语言', en: 'Language' },
  langZh: { zh: '中文', en: '中文' },
  langEn: { zh: 'English', en: 'English' },
  notFoundTitle: { zh: '页面不存在', en: 'Page not found' },
  forbiddenTitle: { zh: '没有访问权限', en: 'No access' },
  forbiddenText: { zh: '您的账号没有访问此页面的权限，如有需要请联系系统管理员。', en: 'Your account may not open this page. Ask an administrator if you need it.' },
  backHome: { zh: '返回首页', en: 'Back to home' },
  networkError: { zh: '无法连接服务器，请检查网络后重试', en: 'Cannot reach the server; check the network and try again' },
  serverError: { zh: '服务器出错了，请稍后重试', en: 'The server had a problem; try again later' },
  formInvalid: { zh: '提交失败，请检查标出的字段', en: 'Not saved; check the fields marked' },
});
