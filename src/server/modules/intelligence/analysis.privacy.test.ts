import { describe, expect, it } from 'vitest';
import { redactText, streetLevelPlace } from './analysis.privacy';

describe('de-identification of request text', () => {
  it('removes the caller, phone and ID numbers, plates and the home address, keeps the problem', () => {
    const out = redactText('市民张伟反映：东湖区花园街道幸福小区3栋2单元501楼道灯不亮，电话13812345678', {
      requesterName: '张伟', requesterPhone: '13812345678', address: '东湖区花园街道幸福小区3栋2单元501',
    });
    expect(out).toBe('市民某某反映：东湖区花园街道某处楼道灯不亮，电话[电话]');
    expect(redactText('我叫李明，住在锦绣家园12号楼，身份证号110101199003071234，车牌粤B12345'))
      .toBe('我叫某某，住在某小区，身份证号[号码]，车牌[车牌]');
    expect(redactText('光明街道碧桂园垃圾堆积发臭')).toBe('光明街道某小区垃圾堆积发臭');
    expect(redactText('建设路18号的饭店油烟直排，王先生多次投诉')).toBe('建设路的饭店油烟直排，某先生多次投诉');
  });

  it('leaves roads, public places, administrative names and companies alone', () => {
    for (const t of ['建设路东段的路灯不亮', '公园里的健身器材坏了，幼儿园门口拥堵', '花园街道办事处没人接电话', '在宏达建筑公司干活被拖欠3个月工资', '保健品店夸大功效诱导老人购买']) {
      expect(redactText(t)).toBe(t);
    }
  });

  it('shows a place no finer than the street', () => {
    expect(streetLevelPlace('东湖区人民政府', '花园街道办事处')).toBe('东湖区 花园街道');
    expect(streetLevelPlace('临川县人民政府', '柳湾镇人民政府')).toBe('临川县 柳湾镇');
    expect(streetLevelPlace(null, null)).toBeNull();
  });
});
