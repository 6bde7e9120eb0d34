/** The rank-budget control: a slider and a number field kept in step; reports every change. */
import { h } from './dom';

export class BudgetControl {
  readonly element: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly field: HTMLElement & { value: string };
  private max = 1;

  constructor(private readonly onChange: (budget: number) => void) {
    this.slider = h('input', { type: 'range', min: 0, max: 1, step: 1, id: 'budget-slider', 'aria-label': 'Rank budget r' });
    this.field = h('vscode-textfield', { type: 'number', min: 0, id: 'budget-input', 'aria-label': 'Rank budget r', class: 'budget-input' }) as HTMLElement & { value: string };
    this.slider.addEventListener('input', () => this.onChange(Number(this.slider.value)));
    this.field.addEventListener('input', () => {
      const value = Number(this.field.value);
      if (Number.isInteger(value) && value >= 0) this.onChange(Math.min(value, this.max));
    });
    this.element = h('div', { class: 'budget' },
      h('label', { for: 'budget-slider', class: 'budget-label' }, 'Rank budget r'),
      this.slider, this.field);
  }

  /** Sets range and value without reporting a change. The slider stops at a useful maximum; the field goes to `max`. */
  set(budget: number, max: number, sliderMax: number): void {
    this.max = max;
    this.slider.max = String(Math.max(1, Math.min(max, sliderMax)));
    this.field.setAttribute('max', String(max));
    this.show(budget);
  }

  show(budget: number): void {
    if (Number(this.slider.value) !== budget) this.slider.value = String(budget);
    if (Number(this.field.value) !== budget) this.field.value = String(budget);
  }
}
