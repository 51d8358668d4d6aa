import { useEffect, useRef } from 'react';
import { echarts, type EChartsOption } from './echarts';

/** A chart that follows its container's size; import it lazily so ECharts loads only with a chart. */
export function EChart({ option, height = 260, ariaLabel }: { option: EChartsOption; height?: number; ariaLabel?: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={el} style={{ width: '100%', height }} role="img" aria-label={ariaLabel} />;
}
