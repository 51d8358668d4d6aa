import { useEffect, useMemo } from 'react';
import { App as AntApp, ConfigProvider, theme as antTheme } from 'antd';
import type { ThemeConfig } from 'antd';
// The ES build of the locales (antd/locale/* is CommonJS and drags in antd/lib).
import zhCN from 'antd/es/locale/zh_CN';
import enUS from 'antd/es/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter } from 'react-router';
import { isApiError } from '../shared/api';
import { I18nProvider, useT } from '../shared/i18n';
import { useIsPhone } from '../shared/use-is-phone';
import { AppRoutes } from './app-routes';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A 4xx will not get better by asking again; a network hiccup might.
      retry: (count, error) => count < 2 && (!isApiError(error) || error.status === 0 || error.status >= 500),
      refetchOnWindowFocus: false,
    },
    mutations: { retry: false },
  },
});

const FONT =
  '-apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Helvetica Neue", Arial, sans-serif';

function ThemedApp() {
  const { lang } = useT();
  const isPhone = useIsPhone();

  useEffect(() => {
    dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en');
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);

  const theme = useMemo<ThemeConfig>(
    () => ({
      algorithm: antTheme.defaultAlgorithm,
      token: {
        colorPrimary: '#1a5fb4',
        colorLink: '#1a5fb4',
        borderRadius: 6,
        fontFamily: FONT,
        // Touch targets of at least 44 px on a phone.
        ...(isPhone ? { controlHeight: 44, controlHeightSM: 36, fontSize: 15 } : {}),
      },
      components: {
        Layout: { headerBg: '#0f2c55', siderBg: '#ffffff', headerHeight: 56, headerPadding: '0 16px' },
      },
    }),
    [isPhone],
  );

  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={theme} button={{ autoInsertSpace: false }}>
      <AntApp>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <ThemedApp />
      </I18nProvider>
    </QueryClientProvider>
  );
}
