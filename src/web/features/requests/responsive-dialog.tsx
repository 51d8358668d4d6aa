import type { ReactNode } from 'react';
import { Button, Drawer, Modal } from 'antd';
import { common, useT } from '../../shared/i18n';
import { useIsPhone } from '../../shared/use-is-phone';

/**
 * A small form's container: a modal on a wide screen, a bottom sheet with full-width buttons on a
 * phone (thumb reach, no tiny close box).
 */
export function ResponsiveDialog(props: {
  open: boolean;
  title: ReactNode;
  okText?: string;
  okDanger?: boolean;
  confirmLoading?: boolean;
  onOk: () => void;
  onCancel: () => void;
  children: ReactNode;
  width?: number;
  testId?: string;
}) {
  const { t } = useT();
  const isPhone = useIsPhone();
  const okText = props.okText ?? t(common.ok);
  if (isPhone) {
    return (
      <Drawer
        open={props.open}
        placement="bottom"
        size="auto"
        title={props.title}
        onClose={props.onCancel}
        forceRender
        rootClassName="zt-rq-sheet"
        footer={
          <div className="zt-rq-sheet-footer">
            <Button size="large" onClick={props.onCancel}>
              {t(common.cancel)}
            </Button>
            <Button size="large" type="primary" danger={props.okDanger} loading={props.confirmLoading} onClick={props.onOk} data-testid="action-submit">
              {okText}
            </Button>
          </div>
        }
      >
        <div data-testid={props.testId}>{props.children}</div>
      </Drawer>
    );
  }
  return (
    <Modal
      open={props.open}
      title={props.title}
      okText={okText}
      cancelText={t(common.cancel)}
      onOk={props.onOk}
      onCancel={props.onCancel}
      confirmLoading={props.confirmLoading}
      okButtonProps={{ danger: props.okDanger, 'data-testid': 'action-submit' }}
      width={props.width ?? 560}
      forceRender
    >
      <div data-testid={props.testId}>{props.children}</div>
    </Modal>
  );
}
