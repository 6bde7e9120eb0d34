/**
 * The frame every rank chart shares: size, accessible title, margins that fit compact tick labels, and
 * the theme. Each figure passes only its scales and marks.
 */
import type * as ObservablePlot from '@observablehq/plot' with { 'resolution-mode': 'import' };
import { Plot, type PlotDocument, type PlotSvg } from './observablePlot';
import { defaultSize, themeSvg } from './theme';

export interface ChartFrame {
  width?: number;
  height?: number;
  /** The figure's accessible name. */
  title?: string;
}

export function chart(document: PlotDocument, frame: ChartFrame, options: ObservablePlot.PlotOptions): PlotSvg {
  return themeSvg(Plot.plot({
    document,
    width: frame.width ?? defaultSize.width,
    height: frame.height ?? defaultSize.height,
    ariaLabel: frame.title,
    marginLeft: 56,
    marginBottom: 34,
    marginTop: 22,
    ...options,
  }));
}
