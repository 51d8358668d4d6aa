import { describe, expect, it } from 'vitest';
import { REQUEST_STATES } from '../requests/request-workflow';
import { ParamReader, parseIsoInstant, resolveWindow } from './open311.params';
import { scrubPersonalData } from './open311.privacy';
import { STATUS_TABLE } from './open311.status';
import { jsonAsXmlText, parseXml, xmlToData } from './open311.test-support';
import { escapeXmlText, toXmlDocument } from './open311.xml';

describe('Open311 XML writer', () => {
  it('escapes markup, keeps Chinese text as it is, and drops characters XML cannot carry', () => {
    expect(escapeXmlText(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
    expect(escapeXmlText('路灯不亮 🚧')).toBe('路灯不亮 🚧');
    expect(escapeXmlText('a\u0000b\u0007c\u000bd\td\ne\uFFFEf\uD800g')).toBe('abcd\td\nefg');
  });

  it('writes lists with their GeoReport item names, null as an empty element, and reads back the same data', () => {
    const data = [{ service_code: '01.02', service_name: '物业 & <服务>', metadata: true, lat: 31.5, description: null, values: [{ key: 'a', name: '甲' }] }];
    const doc = toXmlDocument('services', data);
    expect(doc.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<services><service><service_code>01.02</service_code>')).toBe(true);
    expect(doc).toContain('<description/>');
    expect(doc).toContain('<values><value><key>a</key><name>甲</name></value></values>');
    expect(xmlToData(parseXml(doc))).toEqual(jsonAsXmlText(data));
  });

  it('refuses a list it has no item name for, and an element name that is not XML', () => {
    expect(() => toXmlDocument('things', [1])).toThrow(/no item element name/);
    expect(() => toXmlDocument('bad name', 'x')).toThrow(/not an XML element name/);
  });
});

describe('Open311 parameters', () => {
  const tz = 'Asia/Shanghai';
  it('read ISO 8601 with Z, with an offset, without one (business time) and as a bare date', () => {
    expect(parseIsoInstant('2024-09-30T02:00:00Z', tz)?.toISOString()).toBe('2024-09-30T02:00:00.000Z');
    expect(parseIsoInstant('2024-09-30T10:00:00+08:00', tz)?.toISOString()).toBe('2024-09-30T02:00:00.000Z');
    expect(parseIsoInstant('2024-09-30T10:00:00.5-0100', tz)?.toISOString()).toBe('2024-09-30T11:00:00.500Z');
    expect(parseIsoInstant('2024-09-30T10:00', tz)?.toISOString()).toBe('2024-09-30T02:00:00.000Z');
    expect(parseIsoInstant('2024-09-30', tz)?.toISOString()).toBe('2024-09-29T16:00:00.000Z');
    for (const bad of ['2024-02-30', '2024-13-01T00:00:00Z', 'yesterday', '2024-09-30Z', '2024-09-30T10:00:00+15:00', '']) expect(parseIsoInstant(bad, tz), bad).toBeNull();
  });

  it('treat an empty parameter as an absent one, and name every bad one', () => {
    const p = new ParamReader({ a: '', b: '  ', c: ['x', 'y'], d: 'abc', n: '12e', i: '3.5', list: 'open,, closed ,open' });
    expect(p.text('a', { required: false })).toBeUndefined();
    expect(p.text('b')).toBeUndefined();
    expect(p.list('list', { maxItems: 5 })).toEqual(['open', 'closed']);
    expect(p.hasErrors).toBe(false);
    p.text('c');
    p.text('d', { max: 2 });
    p.number('n', { min: 0, max: 10 });
    p.integer('i', { min: 0, max: 10 });
    p.text('missing', { required: true });
    expect(() => p.done()).toThrow();
    try {
      p.done();
    } catch (err) {
      expect((err as { details: Array<{ field: string }> }).details.map((d) => d.field)).toEqual(['c', 'd', 'n', 'i', 'missing']);
    }
  });

  it('read attribute[code] and attribute[code][] into values', () => {
    const p = new ParamReader({ 'attribute[pole]': 'A-12', 'attribute[hazards][]': ['wire', 'leaning'], 'attribute[one][]': 'x', 'attribute[]': 'ignored', other: 'x' });
    expect(Object.fromEntries(p.attributes())).toEqual({
      pole: { values: ['A-12'], asList: false }, hazards: { values: ['wire', 'leaning'], asList: true }, one: { values: ['x'], asList: true },
    });
  });

  it('make a window of at most 90 days, defaulting to the last 90', () => {
    const now = new Date('2024-09-30T02:00:00Z');
    const day = 24 * 3600 * 1000;
    const p = new ParamReader({});
    expect(resolveWindow(p, undefined, undefined, now)).toEqual({ start: new Date(now.getTime() - 90 * day), end: now });
    const start = new Date('2024-01-01T00:00:00Z');
    expect(resolveWindow(p, start, undefined, now)).toEqual({ start, end: new Date(start.getTime() + 90 * day) });
    expect(resolveWindow(p, undefined, start, now)).toEqual({ start: new Date(start.getTime() - 90 * day), end: start });
    resolveWindow(p, start, new Date(start.getTime() + 90 * day), now);
    expect(p.hasErrors).toBe(false);
    resolveWindow(p, start, new Date(start.getTime() + 90 * day + 1), now);
    expect(p.hasErrors).toBe(true);
    const q = new ParamReader({});
    resolveWindow(q, start, new Date(start.getTime() - 1), now);
    expect(q.hasErrors).toBe(true);
  });
});

describe('Open311 privacy', () => {
  it('masks phone numbers, ID numbers, e-mail addresses and the requester\'s name in free text', () => {
    const text = '我是欧阳明轩，电话13912345678，座机010-87654321，身份证11010519491231002X，邮件ouyang.mx@example.com；编号2024093000001不是电话。';
    const out = scrubPersonalData(text, '欧阳明轩');
    for (const secret of ['欧阳明轩', '13912345678', '87654321', '11010519491231002X', 'ouyang.mx@example.com']) expect(out).not.toContain(secret);
    expect(out).toContain('2024093000001');
    expect(out).toContain('139****5678');
    expect(scrubPersonalData('Reported by John Smith (Smith J.)', 'John Smith')).toBe('Reported by J** (S** J.)');
  });
});

describe('Open311 status table', () => {
  it('maps every request state, closing exactly the terminal ones', () => {
    expect(Object.keys(STATUS_TABLE).sort()).toEqual([...REQUEST_STATES].sort());
    const closed = REQUEST_STATES.filter((s) => STATUS_TABLE[s].status === 'closed');
    expect(closed.sort()).toEqual(['closed', 'merged', 'withdrawn']);
    expect(STATUS_TABLE.merged.extended).toBe('DUPLICATE');
    expect(STATUS_TABLE.returned.extended).toBe('NOT_COUNCILS_RESPONSIBILITY');
    expect(STATUS_TABLE.handling.extended).toBe('IN_PROGRESS');
  });
});
