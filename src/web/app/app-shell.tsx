import { useMemo, useState } from 'react';
import { Avatar, Button, Drawer, Dropdown, Layout, Menu, Segmented } from 'antd';
import type { MenuProps } from 'antd';
import {
  AppstoreOutlined,
  HomeOutlined,
  KeyOutlined,
  LogoutOutlined,
  MenuFoldOutlined,
  MenuUnfoldOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Outlet, matchPath, useLocation, useNavigate } from 'react-router';
import { common, defineMessages, useT, type Lang, type Msg } from '../shared/i18n';
import { buildMenuTree, flattenMenu, type MenuTreeNode } from '../shared/registry';
import { useMe, usePermissions } from '../shared/session';
import { useIsPhone } from '../shared/use-is-phone';
import { useLogout } from '../features/auth/auth.api';
import { features } from './features';

const m = defineMessages({
  changePassword: { zh: '修改密码', en: 'Change password' },
  logout: { zh: '退出登录', en: 'Log out' },
  mine: { zh: '我的', en: 'Me' },
  allFunctions: { zh: '全部功能', en: 'All functions' },
  account: { zh: '账号', en: 'Account' },
});

const TAB_LIMIT = 3;

function usePageTitle(): Msg | null {
  const { pathname } = useLocation();
  return useMemo(() => {
    for (const f of features) {
      for (const r of f.routes ?? []) {
        if (matchPath({ path: `/${r.path}`, end: true }, pathname)) return r.title;
      }
    }
    return null;
  }, [pathname]);
}

/** The menu key to highlight: the entry whose path is the longest prefix of the location. */
function useSelectedKey(items: MenuTreeNode[]): string | undefined {
  const { pathname } = useLocation();
  let best: MenuTreeNode | undefined;
  for (const n of items) {
    if (!n.path) continue;
    const hit = n.path === '/' ? pathname === '/' : pathname === n.path || pathname.startsWith(`${n.path}/`);
    if (hit && (!best || n.path.length > best.path!.length)) best = n;
  }
  return best?.key;
}

function LanguageSwitch({ dark }: { dark?: boolean }) {
  const { lang, setLang, t } = useT();
  return (
    <Segmented<Lang>
      size="small"
      className={dark ? 'zt-lang-dark' : undefined}
      value={lang}
      onChange={(v) => setLang(v)}
      options={[
        { value: 'zh', label: t(common.langZh) },
        { value: 'en', label: 'EN' },
      ]}
      data-testid="lang-switch"
      aria-label={t(common.language)}
    />
  );
}

export function AppShell() {
  const isPhone = useIsPhone();
  return isPhone ? <PhoneShell /> : <DesktopShell />;
}

function useMenu() {
  const can = usePermissions();
  const tree = useMemo(() => buildMenuTree(features, can), [can]);
  return { tree, flat: flattenMenu(tree) };
}

function DesktopShell() {
  const { t } = useT();
  const me = useMe();
  const navigate = useNavigate();
  const logout = useLogout();
  const { tree, flat } = useMenu();
  const selected = useSelectedKey(flat);
  const title = usePageTitle();
  const [collapsed, setCollapsed] = useState(false);

  const toItems = (nodes: MenuTreeNode[]): MenuProps['items'] =>
    nodes.map((n) =>
      n.children ? { key: n.key, icon: n.icon, label: t(n.label), children: toItems(n.children) } : { key: n.key, icon: n.icon, label: t(n.label) },
    );
  const openGroups = tree.filter((n) => n.children).map((n) => n.key);

  const userMenu: MenuProps['items'] = [
    { key: 'password', icon: <KeyOutlined />, label: t(m.changePassword) },
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: t(m.logout), danger: true },
  ];

  return (
    <Layout className="zt-shell" data-testid="desktop-shell">
      <Layout.Header className="zt-header">
        <div className="zt-brand">
          <span className="zt-logo">政</span>
          <span className="zt-brand-name">{t(common.appName)}</span>
          <span className="zt-brand-sub">{t(common.appSubtitle)}</span>
        </div>
        <div className="zt-header-right">
          <LanguageSwitch dark />
          <Dropdown
            menu={{
              items: userMenu,
              onClick: ({ key }) => (key === 'logout' ? logout.mutate() : navigate('/account/password')),
            }}
            trigger={['click']}
          >
            <button type="button" className="zt-user-button" data-testid="user-menu">
              <Avatar size="small" icon={<UserOutlined />} />
              <span className="zt-user-name">{me.user.displayName}</span>
              <span className="zt-user-unit">{me.unit.name}</span>
            </button>
          </Dropdown>
        </div>
      </Layout.Header>
      <Layout>
        <Layout.Sider width={220} collapsible collapsed={collapsed} trigger={null} className="zt-sider" theme="light">
          <Menu
            mode="inline"
            selectedKeys={selected ? [selected] : []}
            defaultOpenKeys={openGroups}
            items={toItems(tree)}
            onClick={({ key }) => {
              const item = flat.find((n) => n.key === key);
              if (item?.path) navigate(item.path);
            }}
            data-testid="side-menu"
          />
          <div className="zt-sider-foot">
            <Button type="text" icon={collapsed ? <MenuUnfoldOutlined /> : <MenuFoldOutlined />} onClick={() => setCollapsed(!collapsed)} aria-label="toggle menu" />
          </div>
        </Layout.Sider>
        <Layout.Content className="zt-content">
          {title ? <h1 className="zt-page-title">{t(title)}</h1> : null}
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

function PhoneShell() {
  const { t } = useT();
  const me = useMe();
  const navigate = useNavigate();
  const logout = useLogout();
  const { flat } = useMenu();
  const selected = useSelectedKey(flat);
  const title = usePageTitle();
  const [drawerOpen, setDrawerOpen] = useState(false);

  const home = flat.find((n) => n.path === '/');
  const others = flat.filter((n) => n.path !== '/');
  const tabs = [...(home ? [home] : []), ...others.slice(0, TAB_LIMIT)];
  const go = (path: string) => {
    setDrawerOpen(false);
    navigate(path);
  };

  return (
    <div className="zt-phone" data-testid="phone-shell">
      <header className="zt-phone-header">
        <span className="zt-logo zt-logo-small">政</span>
        <span className="zt-phone-title">{title ? t(title) : t(common.appName)}</span>
      </header>
      <main className="zt-phone-content">
        <Outlet />
      </main>
      <nav className="zt-tabbar" data-testid="phone-tabbar" aria-label={t(m.allFunctions)}>
        {tabs.map((n) => (
          <button
            key={n.key}
            type="button"
            className={`zt-tab${selected === n.key && !drawerOpen ? ' zt-tab-active' : ''}`}
            onClick={() => go(n.path!)}
            data-testid={`tab-${n.key}`}
          >
            <span className="zt-tab-icon">{n.icon ?? <AppstoreOutlined />}</span>
            <span className="zt-tab-label">{t(n.label)}</span>
          </button>
        ))}
        <button
          type="button"
          className={`zt-tab${drawerOpen ? ' zt-tab-active' : ''}`}
          onClick={() => setDrawerOpen(true)}
          data-testid="tab-more"
        >
          <span className="zt-tab-icon">
            <UserOutlined />
          </span>
          <span className="zt-tab-label">{t(m.mine)}</span>
        </button>
      </nav>
      <Drawer
        placement="bottom"
        size="auto"
        open={drawerOpen}
        onClose={() => setDrawerOpen(false)}
        title={
          <div className="zt-drawer-user">
            <Avatar icon={<UserOutlined />} />
            <div>
              <div className="zt-drawer-name">{me.user.displayName}</div>
              <div className="zt-drawer-unit">{me.unit.name}</div>
            </div>
          </div>
        }
        data-testid="phone-drawer"
        rootClassName="zt-phone-drawer"
      >
        <div className="zt-drawer-section">{t(m.allFunctions)}</div>
        <div className="zt-drawer-grid">
          {flat.map((n) => (
            <button key={n.key} type="button" className={`zt-drawer-item${selected === n.key ? ' zt-drawer-item-active' : ''}`} onClick={() => go(n.path!)} data-testid={`drawer-${n.key}`}>
              <span className="zt-tab-icon">{n.icon ?? <HomeOutlined />}</span>
              <span>{t(n.label)}</span>
            </button>
          ))}
        </div>
        <div className="zt-drawer-section">{t(m.account)}</div>
        <div className="zt-drawer-row">
          <span>{t(common.language)}</span>
          <LanguageSwitch />
        </div>
        <Button block size="large" icon={<KeyOutlined />} onClick={() => go('/account/password')} className="zt-drawer-button">
          {t(m.changePassword)}
        </Button>
        <Button block size="large" danger icon={<LogoutOutlined />} loading={logout.isPending} onClick={() => logout.mutate()} className="zt-drawer-button" data-testid="phone-logout">
          {t(m.logout)}
        </Button>
      </Drawer>
    </div>
  );
}
