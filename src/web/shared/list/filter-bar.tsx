import { useState, type ReactNode } from 'react';
import { Badge, Button, Drawer } from 'antd';
import { FilterOutlined } from '@ant-design/icons';
import { defineMessages, useT } from '../i18n';
import { useIsPhone } from '../use-is-phone';

const m = defineMessages({
  filter: { zh: '筛选', en: 'Filter' },
  title: { zh: '筛选条件', en: 'Filters' },
  done: { zh: '完成', en: 'Done' },
});

/**
 * A list's filters: inline above the list on a wide screen; on a phone a "筛选" button (with the
 * number of active filters) that opens them in a bottom sheet, so the list starts near the top.
 */
export function FilterBar(props: {
  children: ReactNode;
  /** Buttons that stay visible (e.g. 新增). */
  actions?: ReactNode;
  activeCount: number;
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  /** The sheet has its own submit button (a form): no "done" button. */
  hideDone?: boolean;
}) {
  const { t } = useT();
  const isPhone = useIsPhone();
  const [ownOpen, setOwnOpen] = useState(false);
  const open = props.open ?? ownOpen;
  const setOpen = (v: boolean) => (props.onOpenChange ? props.onOpenChange(v) : setOwnOpen(v));

  if (!isPhone) {
    return (
      <div className="zt-toolbar">
        {props.children}
        <div className="zt-toolbar-spacer" />
        {props.actions}
      </div>
    );
  }
  return (
    <>
      <div className="zt-phone-filterbar">
        <Badge count={props.activeCount} size="small" offset={[-4, 4]}>
          <Button icon={<FilterOutlined />} onClick={() => setOpen(true)} data-testid="filter-open">
            {t(m.filter)}
          </Button>
        </Badge>
        <div className="zt-toolbar-spacer" />
        {props.actions}
      </div>
      <Drawer
        placement="bottom"
        size="auto"
        open={open}
        onClose={() => setOpen(false)}
        title={t(m.title)}
        forceRender
        footer={
          props.hideDone ? null : (
            <Button block type="primary" size="large" onClick={() => setOpen(false)}>
              {t(m.done)}
            </Button>
          )
        }
        data-testid="filter-sheet"
      >
        <div className="zt-filter-stack">{props.children}</div>
      </Drawer>
    </>
  );
}
