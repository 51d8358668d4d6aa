import { useState } from 'react';
import { Select } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { defineMessages, useT } from '../../shared/i18n';
import { fetchUsers } from './users.api';

const m = defineMessages({
  placeholder: { zh: '输入用户名或姓名查找', en: 'Type a user name or name' },
});

/** Picks one user by server-side search (the list can hold thousands). */
export function UserPicker(props: { value?: number; onChange?: (v: number | undefined) => void; placeholder?: string; id?: string }) {
  const { t } = useT();
  const [q, setQ] = useState('');
  const users = useQuery({
    queryKey: ['users', 'picker', q],
    queryFn: ({ signal }) => fetchUsers({ q: q || undefined, pageSize: 20, sort: 'username' }, signal),
    staleTime: 30_000,
  });
  return (
    <Select<number>
      id={props.id}
      allowClear
      value={props.value}
      onChange={(v) => props.onChange?.(v ?? undefined)}
      placeholder={props.placeholder ?? t(m.placeholder)}
      showSearch={{ filterOption: false, onSearch: setQ }}
      loading={users.isFetching}
      options={(users.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.displayName}（${u.username}）` }))}
      notFoundContent={users.isFetching ? undefined : null}
    />
  );
}
